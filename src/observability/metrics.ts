import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry. Labels are bounded: route templates, methods, status
 * codes and gRPC method names, never identifiers from requests.
 */
export interface Metrics {
  readonly registry: Registry;
  /** `route` is the route's path template, or "unmatched". */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** `method` is a served gRPC method path, or "unmatched". */
  observeGrpc(method: string, code: number, seconds: number): void;
  /** Requests that were still running when the shutdown grace period ended. */
  countAbortedAtShutdown(): void;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'REST requests answered, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const httpLatency = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'REST request latency, by route template, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const grpcRequests = new Counter({
    name: 'gatehouse_grpc_requests_total',
    help: 'gRPC calls answered, by method and status code.',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const grpcLatency = new Histogram({
    name: 'gatehouse_grpc_request_duration_seconds',
    help: 'gRPC call latency, by method and status code.',
    labelNames: ['method', 'code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const abortedAtShutdown = new Counter({
    name: 'gatehouse_shutdown_aborted_requests_total',
    help: 'Requests answered 503/UNAVAILABLE because the shutdown grace period ended first.',
    registers: [registry],
  });
  // One labelled child per label combination, so a request costs no label hashing.
  const httpSeries = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<string> }>();
  const grpcSeries = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<string> }>();
  return {
    registry,
    observeHttp(route, method, status, seconds) {
      const key = `${route} ${method} ${status}`;
      let series = httpSeries.get(key);
      if (series === undefined) {
        const labels = { route, method, status: String(status) };
        httpSeries.set(key, (series = { count: httpRequests.labels(labels), latency: httpLatency.labels(labels) }));
      }
      series.count.inc();
      series.latency.observe(seconds);
    },
    observeGrpc(method, code, seconds) {
      const key = `${method} ${code}`;
      let series = grpcSeries.get(key);
      if (series === undefined) {
        const labels = { method, code: String(code) };
        grpcSeries.set(key, (series = { count: grpcRequests.labels(labels), latency: grpcLatency.labels(labels) }));
      }
      series.count.inc();
      series.latency.observe(seconds);
    },
    countAbortedAtShutdown() {
      abortedAtShutdown.inc();
    },
  };
}
