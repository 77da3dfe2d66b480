import { watchConfig } from './config/live.js';
import { redactedConfig } from './config/redact.js';
import type { ConfigLogger, ConfigSources } from './config/types.js';
import { scenarioSettingsFrom } from './engine-settings.js';
import { GatehouseError } from './errors.js';
import { namespaceFlagsFrom, openDatabase } from './library/database.js';
import type { LiveIndex } from './index/live-index.js';
import type { RelationTupleStore } from './store/store.js';
import { createLogger, pinoLevel, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { NO_TRACING, tracedMethods, tracingFromConfig } from './observability/tracing.js';
import { PLAYGROUND_MAX_BODY_SIZE, playgroundRoutes } from './playground/routes.js';
import { currentReads } from './reader.js';
import { ChangelogPruner } from './store/changelog-pruner.js';
import { ChangelogWatch } from './store/changelog-watch.js';
import { snaptokensOf } from './store/snaptoken.js';
import { announcingWrites } from './store/change-notifications.js';
import { watchMethods } from './transport/grpc/watch.js';
import { lookupMethods } from './transport/grpc/lookups.js';
import type { GrpcStreamingMethod } from './transport/grpc/streaming.js';
import { watchRoutes } from './transport/rest/watch.js';
import { snaptokenConsistency } from './transport/consistency.js';
import { migrationsPending, PENDING_MIGRATIONS_MESSAGE } from './store/from-config.js';
import { durationMs } from './config/duration.js';
import { checkMethods } from './transport/grpc/check.js';
import { expandMethods } from './transport/grpc/expand.js';
import { explainMethods } from './transport/grpc/explain.js';
import type { GrpcUnaryMethod } from './transport/grpc/method.js';
import { namespacesMethods } from './transport/grpc/namespaces.js';
import { readMethods } from './transport/grpc/read.js';
import { syntaxMethods } from './transport/grpc/syntax.js';
import { writeMethods } from './transport/grpc/write.js';
import { checkRoutes } from './transport/rest/check.js';
import { expandRoutes } from './transport/rest/expand.js';
import { lookupRoutes } from './transport/rest/lookups.js';
import { DATABASE_UNREACHABLE, NotReady, type ReadinessCheck } from './transport/rest/health.js';
import { namespaceRoutes } from './transport/rest/namespaces.js';
import { oplRoutes } from './transport/rest/opl.js';
import { relationTupleRoutes } from './transport/rest/relation-tuples.js';
import type { RestRoute } from './transport/rest/route.js';
import { gracePeriodMs, startServers } from './transport/servers.js';
import { VERSION } from './version.js';

/**
 * The composition root: config → store → namespaces → engine → servers → signals.
 * Each feature is wired here by one line that passes its dependencies explicitly.
 */

const isUnavailable = (err: unknown) => err instanceof GatehouseError && err.kind === 'unavailable';
/** After the servers stopped, how long closing the database pools and the index may take before they are abandoned. */
const CLOSE_TIMEOUT_MS = 1_000;

export interface RunningGatehouse {
  readonly addresses: Awaited<ReturnType<typeof startServers>>['addresses'];
  /** Each port's route and method tables. */
  readonly served: Awaited<ReturnType<typeof startServers>>['served'];
  /** The playground's address, when `serve.playground.enabled`. */
  readonly playground?: Awaited<ReturnType<typeof startServers>>['playground'];
  /** Graceful stop, as on SIGTERM. */
  stop(): Promise<void>;
  /** Resolves with the exit code once the server has stopped. */
  readonly stopped: Promise<number>;
}

export interface StartOptions {
  /** Apply pending migrations before serving (`serve --migrate`); `dsn: memory` always is. */
  migrate?: boolean;
}

export async function startGatehouse(sources: ConfigSources, options: StartOptions = {}): Promise<RunningGatehouse> {
  // config and logs
  let logger: Logger | undefined;
  const configLogger: ConfigLogger = {
    info: (obj, msg) => logger?.info(obj, msg),
    warn: (obj, msg) => logger?.warn(obj, msg),
    error: (obj, msg) => logger?.error(obj, msg),
  };
  const config = watchConfig({ ...sources, logger: configLogger });
  const current = () => config.current();
  const log = (logger = createLogger(current().log));
  config.subscribe((next) => {
    log.level = pinoLevel(next.log.level);
  });
  log.info({ version: VERSION }, 'starting gatehouse');
  log.debug({ config: redactedConfig(current()) }, 'configuration in force');
  const metrics = createMetrics();
  const tracing = await tracingFromConfig(current().tracing, (err) => log.warn({ err }, 'tracing: exporting spans failed'));

  const readiness: ReadinessCheck[] = [];
  const routes: RestRoute[] = [];
  const grpcMethods: GrpcUnaryMethod[] = [];
  const grpcStreaming: GrpcStreamingMethod[] = [];
  let watch: ChangelogWatch | undefined;
  /** Released in reverse order after the servers stopped (database pools …). */
  const closers: (() => Promise<void> | void)[] = [() => tracing.shutdown()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };

  let servers;
  try {
    // store, namespaces, index and engines: the library's composition, observed by the metrics and traced
    const observer = {
      checked(allowed: boolean, steps: number) {
        metrics.observeCheck(allowed, steps);
        tracing.checked(allowed);
      },
    };
    const engines = await openDatabase(current, {
      migrate: options.migrate === true,
      logger: log,
      observer,
      ...(tracing !== NO_TRACING && { spans: tracing.child }),
    });
    closers.push(() => engines.close());
    const { store, namespaces, model, batchLimits, readPath: reads } = engines;
    readiness.push(
      {
        name: 'database',
        check: () =>
          store.ping().catch(() => {
            throw new NotReady(DATABASE_UNREACHABLE);
          }),
      },
      {
        name: 'migrations',
        check: async () => {
          const pending = await migrationsPending(store).catch((err: unknown) => {
            throw isUnavailable(err) ? new NotReady(DATABASE_UNREACHABLE) : err;
          });
          if (pending) throw new NotReady(PENDING_MIGRATIONS_MESSAGE);
        },
      },
    );

    const pruner = new ChangelogPruner(store, {
      retentionMs: () => durationMs(current().changelog.retention),
      onError: (err) => log.warn({ err }, 'changelog: pruning failed; retrying at the next run'),
      onPruned: (entries) => log.info({ entries }, 'changelog: entries past the retention pruned'),
    });
    pruner.start();
    closers.push(() => pruner.stop());

    // namespaces
    config.subscribe((next) => void namespaces.reconfigure(next.namespaces, namespaceFlagsFrom(next)));
    readiness.push({
      name: 'namespaces',
      check: () => {
        const problem = namespaces.problem;
        if (problem !== undefined) throw new NotReady(problem);
      },
    });

    metrics.watch({
      ...(reads.index !== undefined && { index: indexGauges(reads.index, store) }),
      ...(store.poolUsage?.() !== undefined && { pool: () => store.poolUsage?.() }),
    });
    const checks = tracedMethods(tracing, engines.checks, 'engine', ['check', 'batchCheck', 'explain']);
    const expands = tracedMethods(tracing, engines.expands, 'engine', ['expand']);
    const lookups = tracedMethods(tracing, engines.lookups, 'engine', ['listObjects', 'listSubjects']);
    // snaptokens: the engines' reads, and the store's own (listings, writes)
    const snaptokens = snaptokensOf(store);
    const consistency = snaptokenConsistency({ readers: reads.reads, snaptokens });
    const storeConsistency = snaptokenConsistency({ readers: currentReads(store, () => store.headRevision()), snaptokens });
    // watch: woken by the index's follower (which the change notifications and this process's
    // writes wake), or without an index by the store's own change notifications
    const changes = (watch = new ChangelogWatch(store, { onError: (err) => log.warn({ err }, 'watch: reading the changelog failed') }));
    let writes = reads.store;
    if (reads.index !== undefined) reads.index.follower.onApplied(() => changes.poke());
    else {
      const notices = store.changeNotifications(() => changes.poke(), (err) => log.warn({ err }, 'watch: change notifications interrupted'));
      closers.push(() => notices.close());
      writes = announcingWrites(reads.store, notices);
    }

    // features
    const typescriptPrecedence = () => current().feature_flags.typescript_precedence;
    routes.push(...oplRoutes({ typescriptPrecedence }));
    grpcMethods.push(...syntaxMethods({ typescriptPrecedence }));
    routes.push(...checkRoutes({ engine: checks, model, batchLimits, consistency }));
    grpcMethods.push(...checkMethods({ engine: checks, model, batchLimits, consistency }));
    grpcMethods.push(...explainMethods({ engine: checks, consistency }));
    routes.push(...expandRoutes({ engine: expands, consistency }));
    const lookupServices = { lookups, tokenSecrets: () => store.tokenSecrets(), consistency };
    routes.push(...lookupRoutes(lookupServices));
    grpcStreaming.push(...lookupMethods(lookupServices));
    grpcMethods.push(...expandMethods({ engine: expands, consistency }));
    routes.push(...relationTupleRoutes({ store: writes, model, consistency: storeConsistency }));
    grpcMethods.push(
      ...readMethods({ store: writes, model, consistency: storeConsistency }),
      ...writeMethods({ store: writes, model, tokens: storeConsistency }),
    );
    routes.push(...watchRoutes({ watch: changes, snaptokens }));
    grpcStreaming.push(...watchMethods({ watch: changes, snaptokens }));
    routes.push(...namespaceRoutes({ model }));
    grpcMethods.push(...namespacesMethods({ model }));

    // servers
    servers = await startServers({
      config,
      logger: log,
      metrics,
      tracing,
      version: VERSION,
      routes,
      grpcMethods,
      grpcStreaming,
      readiness,
      env: sources.env ?? process.env,
      ...(current().serve.playground.enabled && {
        playground: { routes: playgroundRoutes({ model, settings: () => scenarioSettingsFrom(current()) }), maxBodySize: PLAYGROUND_MAX_BODY_SIZE },
      }),
    });
  } catch (err) {
    config.close();
    await closeAll();
    throw err;
  }

  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const graceMs = gracePeriodMs(config);
      log.info({ grace_period_ms: graceMs }, 'shutting down: finishing requests in flight');
      // Watch streams never finish by themselves: they end first, and their clients resume elsewhere.
      watch?.close();
      const cutOff = await servers.shutdown(graceMs);
      if (cutOff > 0) log.warn({ requests: cutOff }, 'requests still running at the end of the grace period were answered 503');
      config.close();
      let code = 0;
      // A database that stopped answering holds its connections' queries: they are abandoned
      // (the process exits and the server drops them) rather than waited for.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        closeAll().then(
          () => true,
          (err: unknown) => {
            log.error({ err }, 'closing a resource failed');
            code = 1;
            return true;
          },
        ),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      if (!closed) log.warn({ timeout_ms: CLOSE_TIMEOUT_MS }, 'database connections still busy after the grace period were abandoned');
      log.info({}, 'stopped');
      resolveStopped(code);
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());

  return { addresses: servers.addresses, served: servers.served, ...(servers.playground && { playground: servers.playground }), stop, stopped };
}

/** What the index gauges read. */
function indexGauges(index: LiveIndex, store: RelationTupleStore) {
  return {
    revision: () => index.follower.applied,
    headRevision: () => store.headRevision(),
    estimatedBytes: () => index.index.estimatedBytes(),
    freshAsOf: () => index.follower.freshAsOf,
  };
}
