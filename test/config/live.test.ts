import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { ConfigError } from '../../src/config/error.js';
import { watchConfig, type WatchConfigOptions } from '../../src/config/live.js';
import type { Config, ConfigChange, ConfigLogger, LiveConfig } from '../../src/config/types.js';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

function recordingLogger(lines: LogLine[]): ConfigLogger {
  return {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

/** Waits for `probe` to return a value, checking every few milliseconds, for at most `limitMs`. */
async function eventually<T>(what: string, probe: () => T | undefined, limitMs = 5000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const BASE = {
  dsn: 'memory',
  serve: { read: { port: 5000 } },
  log: { level: 'info' },
  namespaces: [{ id: 0, name: 'files' }],
};

function configText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...BASE, ...overrides });
}

interface Harness {
  file: string;
  live: LiveConfig;
  lines: LogLine[];
  changes: Array<{ config: Config; change: ConfigChange }>;
  invalid: ConfigError[];
}

const open: LiveConfig[] = [];
afterEach(() => {
  for (const live of open.splice(0)) live.close();
});

function start(options: Partial<WatchConfigOptions> = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-live-'));
  const file = join(dir, 'gatehouse.json');
  writeFileSync(file, configText());
  const lines: LogLine[] = [];
  const invalid: ConfigError[] = [];
  const live = watchConfig({
    files: [file],
    env: {},
    logger: recordingLogger(lines),
    debounceMs: 10,
    onInvalid: (error) => invalid.push(error),
    ...options,
  });
  open.push(live);
  const changes: Harness['changes'] = [];
  live.subscribe((config, change) => changes.push({ config, change }));
  return { file, live, lines, changes, invalid };
}

describe('watchConfig', () => {
  it('applies a new log level and namespaces without a restart', async () => {
    const h = start();
    assert.equal(h.live.current().log.level, 'info');
    writeFileSync(h.file, configText({ log: { level: 'debug' }, namespaces: [{ id: 0, name: 'files' }, { name: 'dirs' }] }));
    const { config, change } = await eventually('a reload', () => h.changes[0]);
    assert.equal(config.log.level, 'debug');
    assert.deepEqual(config.namespaces, [{ id: 0, name: 'files' }, { name: 'dirs' }]);
    assert.deepEqual(change.applied, ['log.level', 'namespaces']);
    assert.deepEqual(change.restartRequired, []);
    assert.equal(change.previous.log.level, 'info');
    assert.equal(h.live.current(), config);
    assert.ok(Object.isFrozen(config));
    assert.deepEqual(
      h.lines.map((l) => [l.level, l.msg, l.obj]),
      [['info', 'configuration reloaded', { keys: ['log.level', 'namespaces'] }]],
    );
  });

  it('keeps the last good configuration when an edit is invalid', async () => {
    const h = start();
    writeFileSync(h.file, configText({ serve: { read: { port: 70000 } }, log: { level: 'debug' } }));
    const error = await eventually('the rejection', () => h.invalid[0]);
    assert.deepEqual(error.messages, ['serve.read.port: must be <= 65535, got 70000']);
    assert.equal(h.live.current().log.level, 'info');
    assert.equal(h.changes.length, 0);
    assert.deepEqual(h.lines[0], {
      level: 'error',
      obj: { errors: ['serve.read.port: must be <= 65535, got 70000'] },
      msg: 'configuration change rejected, the running configuration stays in force',
    });
    writeFileSync(h.file, '{"dsn": ');
    await eventually('the second rejection', () => h.invalid[1]);
    assert.equal(h.live.current().log.level, 'info');
    writeFileSync(h.file, configText({ log: { level: 'warn' } }));
    const { config } = await eventually('the recovery', () => h.changes[0]);
    assert.equal(config.log.level, 'warn');
  });

  it('holds back ports and dsn until a restart and applies the rest', async () => {
    const h = start();
    writeFileSync(h.file, configText({ dsn: 'sqlite://other.db', serve: { read: { port: 6000 } }, log: { level: 'debug' } }));
    const { config, change } = await eventually('a reload', () => h.changes[0]);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.serve.read.port, 5000);
    assert.equal(config.dsn, 'memory');
    assert.deepEqual(change.applied, ['log.level']);
    assert.deepEqual(change.restartRequired, ['dsn', 'serve.read.port']);
    assert.deepEqual(
      h.lines.find((l) => l.level === 'warn'),
      { level: 'warn', obj: { keys: ['dsn', 'serve.read.port'] }, msg: 'configuration change needs a restart to take effect' },
    );
  });

  it('reports a restart-only change without notifying listeners', async () => {
    const h = start();
    writeFileSync(h.file, configText({ serve: { read: { port: 6000 } } }));
    const warning = await eventually('the warning', () => h.lines.find((l) => l.level === 'warn'));
    assert.deepEqual(warning.obj, { keys: ['serve.read.port'] });
    assert.equal(h.changes.length, 0);
    assert.equal(h.live.current().serve.read.port, 5000);
  });

  it('sees a save that renames a new file into place', async () => {
    const h = start();
    const temp = `${h.file}.tmp`;
    writeFileSync(temp, configText({ log: { level: 'error' } }));
    renameSync(temp, h.file);
    const { config } = await eventually('a reload', () => h.changes[0]);
    assert.equal(config.log.level, 'error');
  });

  it('follows the file by polling when asked to', async () => {
    const h = start({ poll: true, pollIntervalMs: 10 });
    // The poller takes its first stat asynchronously; an edit made before that is its baseline,
    // so the edit is repeated until the poller reports it.
    let probes = 0;
    const { config } = await eventually('a reload', () => {
      if (probes++ % 20 === 0) writeFileSync(h.file, configText({ log: { level: 'trace' } }));
      return h.changes[0];
    });
    assert.equal(config.log.level, 'trace');
  });

  it('keeps environment overrides across reloads', async () => {
    const h = start({ env: { LOG_LEVEL: 'warn', LIMIT_MAX_READ_DEPTH: '9' } });
    assert.equal(h.live.current().log.level, 'warn');
    writeFileSync(h.file, configText({ limit: { max_read_width: 7 } }));
    const { config, change } = await eventually('a reload', () => h.changes[0]);
    assert.deepEqual(change.applied, ['limit.max_read_width']);
    assert.equal(config.limit.max_read_depth, 9);
    assert.equal(config.log.level, 'warn');
  });

  it('stops notifying an unsubscribed listener', async () => {
    const h = start();
    const seen: Config[] = [];
    const unsubscribe = h.live.subscribe((config) => seen.push(config));
    unsubscribe();
    writeFileSync(h.file, configText({ log: { level: 'debug' } }));
    await eventually('a reload', () => h.changes[0]);
    assert.equal(seen.length, 0);
  });

  it('throws a ConfigError when the initial configuration is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-live-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, configText({ log: { level: 'loud' } }));
    assert.throws(() => watchConfig({ files: [file], env: {}, logger: recordingLogger([]) }), {
      name: 'ConfigError',
      messages: ['log.level: must be one of "panic", "fatal", "error", "warn", "info", "debug", "trace", got "loud"'],
    });
  });
});
