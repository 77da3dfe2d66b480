import { notFound } from '../../errors.js';
import type { GrpcUnaryMethod } from './method.js';
import type { GrpcStreamingMethod } from './streaming.js';

const SERVICE = 'grpc.health.v1.Health';
const REQUEST = 'grpc.health.v1.HealthCheckRequest';
const RESPONSE = 'grpc.health.v1.HealthCheckResponse';

export interface HealthDeps {
  /** Services that may be named in a request; "" means the whole server. */
  services: readonly string[];
  /** True while the server is ready (the same checks as GET /health/ready). */
  serving: () => Promise<boolean>;
}

/** `grpc.health.v1.Health`: Check (unary) and Watch (server stream). */
export function healthCheckMethod(deps: HealthDeps): GrpcUnaryMethod {
  return {
    path: `/${SERVICE}/Check`,
    requestType: REQUEST,
    responseType: RESPONSE,
    handle: async (request: { service: string }) => {
      if (request.service !== '' && !deps.services.includes(request.service)) {
        throw notFound(`unknown service ${request.service}`);
      }
      return { status: (await deps.serving()) ? 'SERVING' : 'NOT_SERVING' };
    },
  };
}

export function healthWatchMethod(deps: HealthDeps & { pollMs: number }): GrpcStreamingMethod {
  return {
    path: `/${SERVICE}/Watch`,
    requestType: REQUEST,
    responseType: RESPONSE,
    serve: async (requests, call) => {
      let service: string | undefined;
      for await (const request of requests as AsyncIterable<{ service: string }>) {
        service = request.service;
        break;
      }
      if (service === undefined) return;
      const known = service === '' || deps.services.includes(service);
      let last: string | undefined;
      const report = async () => {
        const status = !known ? 'SERVICE_UNKNOWN' : call.stopping || !(await deps.serving()) ? 'NOT_SERVING' : 'SERVING';
        if (status !== last) call.send({ status });
        last = status;
      };
      await report();
      while (!call.signal.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deps.pollMs);
          call.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        if (call.stopping || !call.signal.aborted) await report();
      }
    },
  };
}
