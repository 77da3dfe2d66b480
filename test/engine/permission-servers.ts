import { loadConfig } from '../../src/config/load.js';
import type { Config, LiveConfig } from '../../src/config/types.js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { ExpandEngine } from '../../src/engine/expand-engine.js';
import { batchLimitsFrom, checkSettingsFrom, expandSettingsFrom } from '../../src/engine-settings.js';
import type { TupleSource } from '../../src/reader.js';
import { currentReads } from '../../src/reader.js';
import type { ModelSnapshot } from '../../src/model.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { checkMethods } from '../../src/transport/grpc/check.js';
import { expandMethods } from '../../src/transport/grpc/expand.js';
import { checkRoutes } from '../../src/transport/rest/check.js';
import { expandRoutes } from '../../src/transport/rest/expand.js';
import { startServers } from '../../src/transport/servers.js';

/**
 * The servers with only the check and expand features wired, in this process, on free
 * loopback ports: how main.ts wires them, minus everything else.
 */
export interface PermissionServers {
  readonly rest: string;
  readonly grpc: string;
  stop(): Promise<void>;
}

export async function startPermissionServers(source: TupleSource, model: ModelSnapshot, env: Record<string, string> = {}): Promise<PermissionServers> {
  const config: Config = loadConfig({
    env: { DSN: 'memory', SERVE_READ_PORT: '0', SERVE_WRITE_PORT: '0', SERVE_OPL_PORT: '0', SERVE_METRICS_PORT: '0', SERVE_READ_HOST: '127.0.0.1', SERVE_WRITE_HOST: '127.0.0.1', SERVE_OPL_HOST: '127.0.0.1', SERVE_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'fatal', ...env },
  });
  const live: LiveConfig = { current: () => config, subscribe: () => () => {}, close: () => {} };
  const snapshot = () => model;
  const check = new CheckEngine({ reads: currentReads(source), model: snapshot, settings: () => checkSettingsFrom(live.current()) });
  const expand = new ExpandEngine({ reads: currentReads(source), model: snapshot, settings: () => expandSettingsFrom(live.current()) });
  const batchLimits = () => batchLimitsFrom(live.current());
  const servers = await startServers({
    config: live,
    logger: createLogger(config.log),
    metrics: createMetrics(),
    version: 'test',
    routes: [...checkRoutes({ engine: check, model: snapshot, batchLimits }), ...expandRoutes({ engine: expand })],
    grpcMethods: [...checkMethods({ engine: check, model: snapshot, batchLimits }), ...expandMethods({ engine: expand })],
    readiness: [],
  });
  const port = servers.addresses.read.port;
  return { rest: `http://127.0.0.1:${port}`, grpc: `127.0.0.1:${port}`, stop: async () => void (await servers.shutdown(1000)) };
}
