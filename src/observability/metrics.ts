import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RequestSeries } from './request-series.js';

/**
 * The process's Prometheus registry. Labels are bounded: route templates, methods, status
 * codes and gRPC method names, never identifiers from requests.
 */
export interface Metrics {
  readonly registry: Registry;
  /** `route` is the route's path template, or "unmatched"; a method outside HTTP's standard ones counts as "OTHER". */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** `method` is a served gRPC method path, or "unmatched". */
  observeGrpc(method: string, code: number, seconds: number): void;
  /** Requests that were still running when the shutdown grace period ended. */
  countAbortedAtShutdown(): void;
  /** One check's answer (a check, a batch check's item or an explained check) and Keto's steps it took (a proof upward: its path's hops). */
  observeCheck(allowed: boolean, steps: number): void;
  /** Where the gauges of the index and the database pool are read at each scrape. */
  watch(sources: WorkSources): void;
}

/** What the work gauges read; a source left out leaves its series out. */
export interface WorkSources {
  readonly index?: {
    /** The revision the index reflects. */
    revision(): number;
    /** The database's head revision (read at each scrape). */
    headRevision(): Promise<number>;
    estimatedBytes(): number;
    /** performance.now() when the changelog follower last found the changelog read to its end; -Infinity before. */
    freshAsOf(): number;
  };
  readonly pool?: () => { readonly inUse: number; readonly waiting: number } | undefined;
}

/** Keto's steps per check, up to the call budget (1000). */
const STEP_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The method label: one of HTTP's standard methods, else "OTHER". HTTP/2 accepts any token as
 * :method and HTTP/1.1's parser some thirty; each distinct value would add series for good.
 */
const METHOD_LABELS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);
export const OTHER_METHOD = 'OTHER';

export function methodLabel(method: string): string {
  return METHOD_LABELS.has(method) ? method : OTHER_METHOD;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const http = new RequestSeries(
    registry,
    {
      counter: 'gatehouse_http_requests_total',
      counterHelp: 'REST requests answered, by route template, method and status.',
      histogram: 'gatehouse_http_request_duration_seconds',
      histogramHelp: 'REST request latency, by route template, method and status.',
    },
    ['route', 'method', 'status'],
    LATENCY_BUCKETS,
  );
  const grpc = new RequestSeries(
    registry,
    {
      counter: 'gatehouse_grpc_requests_total',
      counterHelp: 'gRPC calls answered, by method and status code.',
      histogram: 'gatehouse_grpc_request_duration_seconds',
      histogramHelp: 'gRPC call latency, by method and status code.',
    },
    ['method', 'code'],
    LATENCY_BUCKETS,
  );
  const abortedAtShutdown = new Counter({
    name: 'gatehouse_shutdown_aborted_requests_total',
    help: 'Requests answered 503/UNAVAILABLE because the shutdown grace period ended first.',
    registers: [registry],
  });
  // Counted in plain numbers, handed to prom-client at each scrape: a child's inc() costs more than a check.
  const answered = { allowed: 0, denied: 0 };
  new Counter({
    name: 'gatehouse_checks_total',
    help: 'Checks answered (checks, batch check items, explained checks), by result: allowed or denied.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'allowed' }, answered.allowed);
      this.inc({ result: 'denied' }, answered.denied);
    },
  });
  const steps = new Histogram({
    name: 'gatehouse_check_steps',
    help: "Keto's evaluation steps (subject-set and rewrite steps, tuple lookups) per check; for a check proven upward from the subject, the hops of the proving path.",
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeCheck(allowed, taken) {
      if (allowed) answered.allowed++;
      else answered.denied++;
      steps.observe(taken);
    },
    watch(sources) {
      watchWork(registry, sources);
    },
    observeHttp(route, rawMethod, status, seconds) {
      const method = methodLabel(rawMethod);
      http.observe(`${route} ${method} ${status}`, () => ({ route, method, status: String(status) }), seconds);
    },
    observeGrpc(method, code, seconds) {
      grpc.observe(`${method} ${code}`, () => ({ method, code: String(code) }), seconds);
    },
    countAbortedAtShutdown() {
      abortedAtShutdown.inc();
    },
  };
}

function watchWork(registry: Registry, { index, pool }: WorkSources): void {
  /** A gauge set at each scrape to what `read` answers (left unset when it answers undefined). */
  const gauge = (name: string, help: string, read: () => number | undefined | Promise<number | undefined>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = await read();
        if (value !== undefined) this.set(value);
      },
    });
  // The pool is read first: a scrape's own head-revision query (below) would count as a connection in use.
  if (pool !== undefined) {
    gauge('gatehouse_database_connections_in_use', 'Connections of the database pool checked out (PostgreSQL, MySQL).', () => pool()?.inUse);
    gauge('gatehouse_database_connections_waiting', 'Requests waiting for a connection of the database pool (PostgreSQL, MySQL).', () => pool()?.waiting);
  }
  if (index !== undefined) {
    gauge('gatehouse_index_revision', 'The changelog revision the in-memory index reflects.', () => index.revision());
    gauge('gatehouse_index_revision_lag', "Revisions the in-memory index is behind the database's head revision (read at the scrape).", async () => {
      const head = await index.headRevision().catch(() => undefined);
      return head === undefined ? undefined : Math.max(0, head - index.revision());
    });
    gauge('gatehouse_index_memory_bytes', 'Estimated memory held by the in-memory index.', () => index.estimatedBytes());
    gauge(
      'gatehouse_changelog_follower_lag_seconds',
      'Seconds since the changelog follower last read the changelog to its end (+Inf before its first read).',
      () => (performance.now() - index.freshAsOf()) / 1000,
    );
  }
}
