import { watchConfig } from './config/live.js';
import type { ConfigLogger, ConfigSources } from './config/types.js';
import { createLogger, pinoLevel, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import type { GrpcUnaryMethod } from './transport/grpc/method.js';
import { syntaxMethods } from './transport/grpc/syntax.js';
import type { ReadinessCheck } from './transport/rest/health.js';
import { oplRoutes } from './transport/rest/opl.js';
import type { RestRoute } from './transport/rest/route.js';
import { gracePeriodMs, startServers } from './transport/servers.js';
import { VERSION } from './version.js';

/**
 * The composition root: config → store → namespaces → engine → servers → signals.
 * Each feature is wired here by one line that passes its dependencies explicitly.
 */

export interface RunningGatehouse {
  readonly addresses: Awaited<ReturnType<typeof startServers>>['addresses'];
  /** Graceful stop, as on SIGTERM. */
  stop(): Promise<void>;
  /** Resolves with the exit code once the server has stopped. */
  readonly stopped: Promise<number>;
}

export async function startGatehouse(sources: ConfigSources): Promise<RunningGatehouse> {
  let logger: Logger | undefined;
  const configLogger: ConfigLogger = {
    info: (obj, msg) => logger?.info(obj, msg),
    warn: (obj, msg) => logger?.warn(obj, msg),
    error: (obj, msg) => logger?.error(obj, msg),
  };
  const config = watchConfig({ ...sources, logger: configLogger });
  const log = (logger = createLogger(config.current().log));
  config.subscribe((next) => {
    log.level = pinoLevel(next.log.level);
  });
  log.info({ version: VERSION }, 'starting gatehouse');
  const metrics = createMetrics();

  const readiness: ReadinessCheck[] = [];
  const routes: RestRoute[] = [];
  const grpcMethods: GrpcUnaryMethod[] = [];
  /** Released in reverse order after the servers stopped (database pools …). */
  const closers: (() => Promise<void> | void)[] = [];

  const typescriptPrecedence = () => config.current().feature_flags.typescript_precedence;
  routes.push(...oplRoutes({ typescriptPrecedence }));
  grpcMethods.push(...syntaxMethods({ typescriptPrecedence }));

  let servers;
  try {
    servers = await startServers({
      config,
      logger: log,
      metrics,
      version: VERSION,
      routes,
      grpcMethods,
      readiness,
    });
  } catch (err) {
    config.close();
    for (const close of closers.reverse()) await close();
    throw err;
  }

  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const graceMs = gracePeriodMs(config);
      log.info({ grace_period_ms: graceMs }, 'shutting down: finishing requests in flight');
      const cutOff = await servers.shutdown(graceMs);
      if (cutOff > 0) log.warn({ requests: cutOff }, 'requests still running at the end of the grace period were answered 503');
      config.close();
      let code = 0;
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          log.error({ err }, 'closing a resource failed');
          code = 1;
        }
      }
      log.info({}, 'stopped');
      resolveStopped(code);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());

  return { addresses: servers.addresses, stop, stopped };
}
