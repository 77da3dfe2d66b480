import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { servesTls } from '../config/tls.js';
import type { AuthConfig, CorsConfig, EndpointName, LiveConfig, TlsConfig, TlsSource } from '../config/types.js';
import { durationMs } from '../config/duration.js';
import { invalidArgument } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import type { GrpcUnaryMethod } from './grpc/method.js';
import type { GrpcStreamingMethod } from './grpc/streaming.js';
import { reflectionMethods } from './grpc/reflection.js';
import { loadDescriptorIndex, portDescriptors } from './grpc/schema.js';
import { grpcHandler, isGrpcRequest, type GrpcHandler } from './grpc/server.js';
import { healthCheckMethod, healthWatchMethod } from './grpc/health.js';
import { versionMethod } from './grpc/version.js';
import { LiveAuth } from './auth.js';
import { InFlight } from './in-flight.js';
import { apiOfMethod, apiOfRoute, withUnwiredMethods, withUnwiredRoutes, type ApiName } from './keto-surface.js';
import { DRAIN_MAX_MS, Listener } from './listener.js';
import { NotReady, healthRoutes, readinessErrors, type ReadinessCheck } from './rest/health.js';
import { openApiRoute } from './rest/openapi.js';
import { restPipeline } from './rest/pipeline.js';
import type { RestRoute } from './rest/route.js';
import { RestRouter } from './rest/router.js';

export interface ServersDeps {
  config: LiveConfig;
  logger: Logger;
  metrics: Metrics;
  /** Spans of requests (none when tracing is off). */
  tracing?: Tracing;
  version: string;
  /** REST routes of the features; each is served on the port of its API only (see keto-surface.ts). */
  routes: readonly RestRoute[];
  /** Unary gRPC methods of the features; each is served on the port of its API only. */
  grpcMethods: readonly GrpcUnaryMethod[];
  /** Streaming gRPC methods of the features (gatehouse's Watch); each is served on the port of its API only. */
  grpcStreaming?: readonly GrpcStreamingMethod[];
  /** What makes the server ready (database reachable, migrations applied …). */
  readiness: readonly ReadinessCheck[];
  /** Where `serve.<api>.auth.preshared_keys[].env` keys are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The playground's routes and body limit, served on their own listener when `serve.playground.enabled`. */
  playground?: { readonly routes: readonly RestRoute[]; readonly maxBodySize: number };
}

/** What one port answers: its REST routes ("GET /path") and gRPC methods ("/package.Service/Method"). */
export interface ServedSurface {
  readonly rest: readonly string[];
  readonly grpc: readonly string[];
}

export interface Servers {
  readonly addresses: Readonly<Record<EndpointName, AddressInfo>>;
  /** Each port's route and method tables, as its router and gRPC dispatcher hold them. */
  readonly served: Readonly<Record<EndpointName, ServedSurface>>;
  /** The playground's address, when it is served. */
  readonly playground?: AddressInfo;
  /**
   * Graceful stop: readiness turns 503, listeners stop accepting, in-flight requests may finish
   * within `graceMs`; those still running then are answered 503 / UNAVAILABLE. Resolves with
   * how many had to be cut off.
   */
  shutdown(graceMs: number): Promise<number>;
}

const ENDPOINTS: readonly EndpointName[] = ['read', 'write', 'opl', 'metrics'];
/** The playground's page calls its own origin only. */
const NO_CORS: CorsConfig = {
  enabled: false,
  allowed_origins: [],
  allowed_methods: [],
  allowed_headers: [],
  exposed_headers: [],
  allow_credentials: false,
  max_age: 0,
  debug: false,
};
const HEALTH_WATCH_POLL_MS = 1_000;
/** After the grace period, how long answers already written get to reach their clients. */
const FLUSH_AFTER_DEADLINE_MS = 500;

export async function startServers(deps: ServersDeps): Promise<Servers> {
  const { config, logger, metrics } = deps;
  const inFlight = new InFlight();
  const stopping = new AbortController();
  const readiness: ReadinessCheck[] = [
    {
      name: 'shutdown',
      check: () => {
        if (stopping.signal.aborted) throw new NotReady('the server is shutting down');
      },
    },
    ...deps.readiness,
  ];
  const health = healthRoutes({ version: deps.version, readiness: () => readiness });
  const metricsRoute: RestRoute = {
    method: 'GET',
    path: '/metrics/prometheus',
    handle: async () => ({
      status: 200,
      body: await metrics.registry.metrics(),
      headers: { 'content-type': metrics.registry.contentType },
    }),
  };
  const restRoutes = withUnwiredRoutes(deps.routes);
  const unaryMethods = withUnwiredMethods(deps.grpcMethods);
  const descriptors = loadDescriptorIndex();
  const serving = async () => Object.keys(await readinessErrors(readiness)).length === 0;

  const auth = new LiveAuth(config, deps.env ?? process.env, logger);
  /** Health answers probes without credentials; every other route and method of a listener with auth needs them. */
  const openRoutes = new Set(health.filter((route) => route.path.startsWith('/health/')));

  /** One API port: its own routes and methods, plus health, version and reflection of what it serves. */
  const apiPort = (api: ApiName) => {
    const router = new RestRouter([...health, openApiRoute, ...restRoutes.filter((route) => apiOfRoute(route) === api)]);
    const unary = [...unaryMethods.filter((method) => apiOfMethod(method) === api), versionMethod(deps.version)];
    const streams = (deps.grpcStreaming ?? []).filter((method) => apiOfMethod(method) === api);
    const index = portDescriptors(descriptors, [...unary, ...streams].map((m) => m.path));
    const healthDeps = { services: index.services, serving };
    const healthMethods = [healthCheckMethod(healthDeps), healthWatchMethod({ ...healthDeps, pollMs: HEALTH_WATCH_POLL_MS })] as const;
    const openMethods = new Set(healthMethods.map((method) => method.path));
    const onGrpc = grpcHandler({
      unary: [...unary, healthMethods[0]],
      streaming: [healthMethods[1], ...reflectionMethods(index), ...streams],
      logger,
      metrics,
      inFlight,
      ...(deps.tracing && { tracing: deps.tracing }),
      maxMessageSize: () => config.current().limit.max_request_body_size,
      stopping: stopping.signal,
      requestTimeoutMs: () => durationMs(config.current().serve[api].request_timeout),
      refusal: (path: string, headers: IncomingHttpHeaders, stream: ServerHttp2Stream) =>
        openMethods.has(path) ? undefined : auth.of(api).refusal({ authorization: headers.authorization, peerCertified: certified(stream) }),
    });
    return { router, onGrpc };
  };
  const ports: Record<EndpointName, { router: RestRouter; onGrpc?: GrpcHandler }> = {
    read: apiPort('read'),
    write: apiPort('write'),
    opl: apiPort('opl'),
    metrics: { router: new RestRouter([...health, metricsRoute]) },
  };

  const listeners = new Map<EndpointName | 'playground', Listener>();
  const bodyLimit = () => config.current().limit.max_request_body_size;
  const listen = (
    name: EndpointName | 'playground',
    router: RestRouter,
    limits: { cors: () => CorsConfig; bodyLimit: () => number; requestTimeoutMs: () => number },
    api?: { onGrpc?: GrpcHandler; authConfig: AuthConfig },
  ) => {
    const endpoint = config.current().serve[name];
    const onGrpc = api?.onGrpc;
    const onHttp = restPipeline({
      router,
      logger,
      metrics,
      inFlight,
      ...(deps.tracing && { tracing: deps.tracing }),
      ...(name !== 'playground' && {
        refusal: (exchange, route) =>
          openRoutes.has(route) ? undefined : auth.of(name).refusal({ authorization: exchange.headers.authorization, peerCertified: exchange.peerCertified }),
      }),
      settings: () => ({
        bodyLimit: limits.bodyLimit(),
        cors: limits.cors(),
        draining: stopping.signal.aborted,
        requestTimeoutMs: limits.requestTimeoutMs(),
      }),
    });
    const tls = loadTls(name, endpoint.tls, api?.authConfig);
    listeners.set(
      name,
      new Listener({
        name,
        host: endpoint.host,
        port: endpoint.port,
        ...(tls && { tls }),
        onHttp: (exchange) => void onHttp(exchange),
        ...(onGrpc && { grpc: { accepts: isGrpcRequest, onStream: onGrpc } }),
        logger,
      }),
    );
  };
  for (const name of ENDPOINTS) {
    listen(
      name,
      ports[name].router,
      { cors: () => config.current().serve[name].cors, bodyLimit, requestTimeoutMs: () => durationMs(config.current().serve[name].request_timeout) },
      { ...(ports[name].onGrpc && { onGrpc: ports[name].onGrpc }), authConfig: config.current().serve[name].auth },
    );
  }
  const playground = deps.playground;
  if (config.current().serve.playground.enabled && playground !== undefined) {
    listen('playground', new RestRouter([...health, ...playground.routes]), {
      cors: () => NO_CORS,
      bodyLimit: () => Math.min(bodyLimit(), playground.maxBodySize),
      requestTimeoutMs: () => 0,
    });
  }

  const addresses = {} as Record<EndpointName | 'playground', AddressInfo>;
  try {
    for (const [name, listener] of listeners) {
      addresses[name] = await listener.listen();
      const endpoint = config.current().serve[name];
      if (endpoint.write_listen_file) {
        writeFileSync(fileURLToPath(endpoint.write_listen_file), `${endpoint.host}:${addresses[name].port}`);
      }
      logger.info(
        { listener: name, host: endpoint.host, port: addresses[name].port, tls: listener.secure },
        'listening',
      );
    }
  } catch (err) {
    for (const listener of listeners.values()) listener.destroy();
    auth.close();
    throw err;
  }

  const served = {} as Record<EndpointName, ServedSurface>;
  for (const name of ENDPOINTS) {
    const { router, onGrpc } = ports[name];
    served[name] = { rest: router.routes.map((r) => `${r.method} ${r.path}`), grpc: onGrpc?.methods ?? [] };
  }
  const { playground: playgroundAddress, ...apis } = addresses;
  return {
    addresses: apis,
    ...(playgroundAddress && { playground: playgroundAddress }),
    served,
    async shutdown(graceMs) {
      const deadline = Date.now() + graceMs;
      stopping.abort();
      auth.close();
      // Readiness is 503 from here; connections already queued on the listening sockets are still answered.
      await Promise.all([...listeners.values()].map((listener) => listener.drain(Math.min(DRAIN_MAX_MS, graceMs))));
      const finished = await inFlight.whenIdle(Math.max(0, deadline - Date.now()));
      const cutOff = finished ? 0 : inFlight.answerAllUnavailable();
      for (let i = 0; i < cutOff; i++) metrics.countAbortedAtShutdown();
      // Answers already written still have to reach the clients (trailers, GOAWAY, FIN).
      const flushMs = Math.max(deadline - Date.now(), FLUSH_AFTER_DEADLINE_MS);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...listeners.values()].map((l) => l.whenClosed())),
        new Promise((resolve) => (timer = setTimeout(resolve, flushMs))),
      ]);
      clearTimeout(timer);
      for (const listener of listeners.values()) listener.destroy();
      return cutOff;
    },
  };
}

/** The shutdown grace period from the configuration, in milliseconds. */
export function gracePeriodMs(config: LiveConfig): number {
  return durationMs(config.current().serve.shutdown_grace_period);
}

function loadTls(endpoint: EndpointName | 'playground', tls: TlsConfig, auth?: AuthConfig): { cert: Buffer; key: Buffer; clientCa?: Buffer } | undefined {
  if (!servesTls(tls)) {
    if (auth?.client_ca !== undefined) throw invalidArgument(`serve.${endpoint}.auth.client_ca: client certificates need TLS (serve.${endpoint}.tls)`);
    return undefined;
  }
  return {
    cert: readPem(`serve.${endpoint}.tls.cert`, tls.cert),
    key: readPem(`serve.${endpoint}.tls.key`, tls.key),
    ...(auth?.client_ca !== undefined && { clientCa: readPem(`serve.${endpoint}.auth.client_ca`, auth.client_ca) }),
  };
}

/** True when the call came over TLS with a client certificate the listener's client CA accepts. */
const certified = (stream: ServerHttp2Stream) => (stream.session?.socket as Partial<TLSSocket> | undefined)?.authorized === true;

function readPem(key: string, source: TlsSource): Buffer {
  if (source.base64 !== undefined) return Buffer.from(source.base64, 'base64');
  try {
    return readFileSync(source.path ?? '');
  } catch (err) {
    throw invalidArgument(`${key}.path: cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
