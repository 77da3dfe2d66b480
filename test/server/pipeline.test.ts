import assert from 'node:assert/strict';
import { openSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { CorsConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { InFlight } from '../../src/transport/in-flight.js';
import { Listener } from '../../src/transport/listener.js';
import { restPipeline } from '../../src/transport/rest/pipeline.js';
import type { RestRoute } from '../../src/transport/rest/route.js';
import { RestRouter } from '../../src/transport/rest/router.js';
import { GatehouseError } from '../../src/errors.js';
import { toGrpcError } from '../../src/transport/errors.js';
import { KETO_GRPC_METHODS, KETO_REST_ROUTES, withUnwiredMethods, withUnwiredRoutes } from '../../src/transport/keto-surface.js';
import { h2cRequest, http1Request } from './clients.js';

const cors: CorsConfig = {
  enabled: true,
  allowed_origins: ['https://*.example.com'],
  allowed_methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowed_headers: ['Authorization', 'Content-Type'],
  exposed_headers: ['Content-Type'],
  allow_credentials: false,
  max_age: 600,
  debug: false,
};

const routes: RestRoute[] = [
  { method: 'POST', path: '/echo', handle: async (req) => ({ status: 200, body: { got: req.json() } }) },
  {
    method: 'GET',
    path: '/boom',
    handle: async () => {
      throw new Error('SELECT * FROM secret_table WHERE password = hunter2');
    },
  },
  {
    method: 'GET',
    path: '/limit',
    handle: async () => {
      throw new GatehouseError('unprocessable', 'The check could not be completed', 'max_depth_exceeded');
    },
  },
];

describe('the REST pipeline', () => {
  let listener: Listener;
  let origin: string;
  before(async () => {
    const logger = createLogger({ level: 'error', format: 'json', leak_sensitive_values: false }, openSync('/dev/null', 'w'));
    const pipeline = restPipeline({
      router: new RestRouter(withUnwiredRoutes(routes)),
      logger,
      metrics: createMetrics(),
      inFlight: new InFlight(),
      settings: () => ({ bodyLimit: 1024, cors, draining: false }),
    });
    listener = new Listener({ name: 'test', host: '127.0.0.1', port: 0, onHttp: (e) => void pipeline(e), logger });
    const { port } = await listener.listen();
    origin = `http://127.0.0.1:${port}`;
  });
  after(() => {
    listener.drain();
    listener.destroy();
  });

  test('a JSON body reaches the handler parsed', async () => {
    const res = await http1Request(`${origin}/echo`, { method: 'POST', body: '{"a":[1,2]}' });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { got: { a: [1, 2] } });
  });

  test('malformed JSON is 400 naming the position', async () => {
    const res = await h2cRequest(origin, '/echo', { method: 'POST', body: '{"a": 1,}', headers: { 'x-request-id': 'j' } });
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), {
      error: {
        code: 400,
        status: 'Bad Request',
        message: 'Expected double-quoted property name in JSON at position 8',
        request: 'j',
      },
    });
    const truncated = await http1Request(`${origin}/echo`, { method: 'POST', body: '{"a"' });
    assert.equal(truncated.status, 400);
    assert.match(JSON.parse(truncated.body).error.message, /at position 4$/);
  });

  test('an unexpected error is a generic 500: no SQL, no secrets', async () => {
    const res = await http1Request(`${origin}/boom`, { headers: { 'x-request-id': 'b' } });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.body), {
      error: {
        code: 500,
        status: 'Internal Server Error',
        message: 'An internal server error occurred, please contact the system administrator',
        request: 'b',
      },
    });
  });

  test("a domain error keeps Keto's reason", async () => {
    const res = await http1Request(`${origin}/limit`, { headers: { 'x-request-id': 'l' } });
    assert.equal(res.status, 422);
    assert.deepEqual(JSON.parse(res.body), {
      error: {
        code: 422,
        status: 'Unprocessable Entity',
        message: 'The check could not be completed',
        reason: 'max_depth_exceeded',
        request: 'l',
      },
    });
  });

  test('CORS: an allowed origin gets a preflight answer and headers; others get none', async () => {
    const preflight = await http1Request(`${origin}/echo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(preflight.headers['access-control-allow-methods'], 'POST');
    assert.equal(preflight.headers['access-control-allow-headers'], 'content-type');
    assert.equal(preflight.headers['access-control-max-age'], '600');
    const actual = await http1Request(`${origin}/echo`, {
      method: 'POST',
      body: '1',
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(actual.headers['access-control-expose-headers'], 'Content-Type');
    const foreign = await http1Request(`${origin}/echo`, { method: 'POST', body: '1', headers: { origin: 'https://evil.test' } });
    assert.equal(foreign.status, 200);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });
});

test('a Keto route no feature provides answers 501 in the envelope', async () => {
  const logger = createLogger({ level: 'error', format: 'json', leak_sensitive_values: false }, openSync('/dev/null', 'w'));
  const pipeline = restPipeline({
    router: new RestRouter(withUnwiredRoutes([])),
    logger,
    metrics: createMetrics(),
    inFlight: new InFlight(),
    settings: () => ({ bodyLimit: 1024, cors, draining: false }),
  });
  const listener = new Listener({ name: 'test', host: '127.0.0.1', port: 0, onHttp: (e) => void pipeline(e), logger });
  const { port } = await listener.listen();
  try {
    for (const route of KETO_REST_ROUTES) {
      const res = await http1Request(`http://127.0.0.1:${port}${route.path}`, { method: route.method, headers: { 'x-request-id': 'u' } });
      assert.equal(res.status, 501);
      assert.deepEqual(JSON.parse(res.body), {
        error: { code: 501, status: 'Not Implemented', message: `${route.method} ${route.path} is not implemented yet.`, request: 'u' },
      });
    }
  } finally {
    listener.drain();
    listener.destroy();
  }
});

test('a Keto gRPC method no feature provides answers UNIMPLEMENTED', async () => {
  const methods = withUnwiredMethods([]);
  assert.deepEqual(
    methods.map((m) => m.path),
    KETO_GRPC_METHODS.map((m) => m.path),
  );
  for (const method of methods) {
    const err = await Promise.resolve().then(() => method.handle({})).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.deepEqual(toGrpcError(err), { code: 12, message: `${method.path} is not implemented yet.`, unexpected: false });
  }
});
