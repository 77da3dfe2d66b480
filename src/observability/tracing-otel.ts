import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracingConfig } from '../config/types.js';
import { VERSION } from '../version.js';
import type { RequestSpan, Tracing } from './tracing.js';

/** OTLP/HTTP's default address, as OpenTelemetry's exporters use when none is configured. */
const DEFAULT_OTLP_ADDRESS = 'localhost:4318';
const DEFAULT_SERVICE_NAME = 'gatehouse';

/** The request a span belongs to, and the checks it answered. */
interface Active {
  readonly context: Context;
  readonly request: RequestTally;
}

interface RequestTally {
  allowed: number;
  denied: number;
}

const UNSAMPLED: RequestSpan = { run: (work) => work(), end: () => undefined };

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

/**
 * `tracing.provider: otel`, as Keto sets it up: OTLP over HTTP to
 * `http(s)://<providers.otlp.server_url>/v1/traces`, a parent-based sampler whose roots are
 * sampled at `providers.otlp.sampling.sampling_ratio` (unset: 0, so only requests whose
 * `traceparent` is sampled are traced), spans batched. Spans are parented explicitly through
 * this tracing's own async context, so no global of OpenTelemetry's is set.
 */
export function otelTracing(config: TracingConfig, onExportError: (err: unknown) => void): Tracing {
  const otlp = config.providers?.otlp ?? {};
  const scheme = otlp.insecure === true ? 'http' : 'https';
  const exporter = new OTLPTraceExporter({
    url: `${scheme}://${otlp.server_url ?? DEFAULT_OTLP_ADDRESS}/v1/traces`,
    ...(otlp.authorization_header !== undefined && { headers: { Authorization: otlp.authorization_header } }),
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.service_name ?? DEFAULT_SERVICE_NAME,
      'service.version': VERSION,
      ...(config.deployment_environment !== undefined && { 'deployment.environment.name': config.deployment_environment }),
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(otlp.sampling?.sampling_ratio ?? 0) }),
    spanProcessors: [new BatchSpanProcessor(reportingFailures(exporter, onExportError))],
  });
  const tracer = provider.getTracer('gatehouse', VERSION);
  const propagator = new W3CTraceContextPropagator();
  const active = new AsyncLocalStorage<Active>();

  return {
    startRequest(headers): RequestSpan {
      const parent = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      const span = tracer.startSpan('request', { kind: SpanKind.SERVER }, parent);
      // A request the sampler dropped records nothing: no context to carry, no child spans.
      if (!span.isRecording()) return UNSAMPLED;
      const scope: Active = { context: trace.setSpan(parent, span), request: { allowed: 0, denied: 0 } };
      return {
        run: (work) => active.run(scope, work),
        end(name, attributes, failed) {
          span.updateName(name);
          span.setAttributes(attributes);
          const { allowed, denied } = scope.request;
          if (allowed + denied === 1) span.setAttribute('gatehouse.check.allowed', allowed === 1);
          else if (allowed + denied > 1) span.setAttributes({ 'gatehouse.checks.allowed': allowed, 'gatehouse.checks.denied': denied });
          if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    child(name, attributes, work) {
      const parent = active.getStore();
      if (parent === undefined) return work();
      const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent.context);
      const scope: Active = { context: trace.setSpan(parent.context, span), request: parent.request };
      let result;
      try {
        result = active.run(scope, work);
      } catch (err) {
        endFailed(span, err);
        throw err;
      }
      if (!(result instanceof Promise)) {
        span.end();
        return result;
      }
      return result.then(
        (value: unknown) => {
          span.end();
          return value;
        },
        (err: unknown) => {
          endFailed(span, err);
          throw err;
        },
      ) as typeof result;
    },
    checked(allowed) {
      const tally = active.getStore()?.request;
      if (tally === undefined) return;
      if (allowed) tally.allowed++;
      else tally.denied++;
    },
    shutdown: () => provider.shutdown(),
  };
}

function endFailed(span: Span, err: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
  span.end();
}

/** The exporter, with each failed export handed to `onError` (OpenTelemetry would only log it to its own diagnostics). */
function reportingFailures(exporter: OTLPTraceExporter, onError: (err: unknown) => void): SpanExporter {
  return {
    export: (spans, done) =>
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) onError(result.error ?? new Error('the span export failed'));
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
}
