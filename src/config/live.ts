import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './error.js';
import { loadConfig } from './load.js';
import { planReload } from './reload-plan.js';
import { sealConfig } from './seal.js';
import { fileEventFilter } from './watched-file.js';
import type { Config, ConfigListener, ConfigLogger, ConfigSources, LiveConfig } from './types.js';

export interface WatchConfigOptions extends ConfigSources {
  logger: ConfigLogger;
  /** Called with the reasons when an edit leaves the files invalid; the running config stays. */
  onInvalid?: (error: ConfigError) => void;
  /** Quiet time after the last file event before reloading. Default 100 ms. */
  debounceMs?: number;
  /** Stat interval of the polling fallback. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Poll instead of using fs.watch (for file systems without change events). */
  poll?: boolean;
}

/**
 * Loads the configuration (throwing a ConfigError when it is invalid) and follows the
 * config files: on a change it reloads files and the environment as captured at start.
 * Keys that apply live (namespaces, log level, limits, feature flags, secrets…) go to the
 * listeners; keys that need a restart (ports, hosts, dsn…) are logged as such and keep
 * their running values; an invalid edit is logged, handed to `onInvalid`, and ignored.
 */
export function watchConfig(options: WatchConfigOptions): LiveConfig {
  const files = (options.files ?? []).map((file) => resolve(file));
  const sources: ConfigSources = { files, env: { ...(options.env ?? process.env) } };
  const { logger } = options;
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let current = loadConfig(sources);
  const listeners = new Set<ConfigListener>();
  const stops: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = () => {
    timer = undefined;
    if (closed) return;
    let next: Config;
    try {
      next = loadConfig(sources);
    } catch (error) {
      if (!(error instanceof ConfigError)) {
        logger.error({ err: error }, 'configuration reload failed, the running configuration stays in force');
        return;
      }
      logger.error({ errors: error.messages }, 'configuration change rejected, the running configuration stays in force');
      options.onInvalid?.(error);
      return;
    }
    const plan = planReload(current, next);
    if (plan.restartRequired.length > 0) {
      logger.warn({ keys: plan.restartRequired }, 'configuration change needs a restart to take effect');
    }
    if (plan.applied.length === 0) return;
    const previous = current;
    current = sealConfig(plan.config);
    logger.info({ keys: plan.applied }, 'configuration reloaded');
    for (const listener of listeners) {
      try {
        listener(current, { previous, applied: plan.applied, restartRequired: plan.restartRequired });
      } catch (error) {
        logger.error({ err: error }, 'configuration listener failed');
      }
    }
  };

  const schedule = () => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  };

  const poll = (file: string) => {
    const onStat = () => schedule();
    watchFile(file, { interval: pollIntervalMs, persistent: false }, onStat);
    stops.push(() => unwatchFile(file, onStat));
  };

  for (const file of files) {
    if (options.poll === true) {
      poll(file);
      continue;
    }
    // The directory is watched so that editors which save by renaming a new file into place are seen.
    const concernsFile = fileEventFilter(file);
    let watcher: FSWatcher;
    try {
      watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
        if (concernsFile(name)) schedule();
      });
    } catch (error) {
      logger.warn({ file, err: error }, 'cannot watch the config file for changes, polling it instead');
      poll(file);
      continue;
    }
    watcher.on('error', (error) => {
      logger.warn({ file, err: error }, 'watching the config file failed, polling it instead');
      watcher.close();
      if (!closed) poll(file);
    });
    stops.push(() => watcher.close());
  }

  return {
    current: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const stop of stops.splice(0)) stop();
    },
  };
}
