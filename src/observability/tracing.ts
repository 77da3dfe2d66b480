import type { IncomingHttpHeaders } from 'node:http';
import type { TracingConfig } from '../config/types.js';

/** A span attribute's value. */
export type SpanValue = string | number | boolean;
export type SpanAttributes = Readonly<Record<string, SpanValue>>;

/** The span of one REST request or gRPC call. */
export interface RequestSpan {
  /** Runs `work` with this span as the parent of the spans it starts. */
  run<T>(work: () => T): T;
  /** Ends the span under its final name (`GET /relation-tuples/check`), with its attributes; `failed` marks it an error. */
  end(name: string, attributes: SpanAttributes, failed: boolean): void;
}

/**
 * What the servers, the store and the engines record. Without `tracing.provider` it is
 * `NO_TRACING`, which does nothing and loads no OpenTelemetry package.
 */
export interface Tracing {
  /** A request span, the child of the W3C trace context (`traceparent`) its headers carry. */
  startRequest(headers: IncomingHttpHeaders): RequestSpan;
  /** Runs `work` in a span that is a child of the current one (none outside a request). */
  child<T>(name: string, attributes: SpanAttributes, work: () => T): T;
  /** A check's answer, recorded on the current request span. */
  checked(allowed: boolean): void;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

const NO_SPAN: RequestSpan = { run: (work) => work(), end: () => undefined };

export const NO_TRACING: Tracing = {
  startRequest: () => NO_SPAN,
  child: (_name, _attributes, work) => work(),
  checked: () => undefined,
  shutdown: async () => undefined,
};

/** The tracing the configuration asks for; the OpenTelemetry packages are loaded only when it asks for some. */
export async function tracingFromConfig(config: TracingConfig | undefined, onExportError: (err: unknown) => void): Promise<Tracing> {
  if (config?.provider !== 'otel') return NO_TRACING;
  const { otelTracing } = await import('./tracing-otel.js');
  return otelTracing(config, onExportError);
}

/**
 * `target` with each of `methods` run in a child span `<prefix>.<method>`; `target` itself
 * when tracing is off, so that the calls cost nothing more.
 */
export function tracedMethods<T extends object>(tracing: Tracing, target: T, prefix: string, methods: readonly (keyof T & string)[]): T {
  if (tracing === NO_TRACING) return target;
  const traced = new Map<PropertyKey, unknown>();
  for (const method of methods) {
    const original = target[method] as (...args: unknown[]) => unknown;
    traced.set(method, (...args: unknown[]) => tracing.child(`${prefix}.${method}`, {}, () => original.apply(target, args)));
  }
  return new Proxy(target, {
    get: (object, key) => {
      if (traced.has(key)) return traced.get(key);
      const value: unknown = Reflect.get(object, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
