import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
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
}

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
  return {
    registry,
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
