import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import type { EndpointName } from '../../src/config/types.js';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';
import { API_REST_ROUTES, GATEHOUSE_GRPC_METHODS, GATEHOUSE_STREAM_ROUTES, KETO_GRPC_METHODS } from '../../src/transport/keto-surface.js';
import { OPENAPI_DOCUMENT } from '../../src/transport/rest/openapi.js';
import { h2cRequest, http1Request } from './clients.js';
import { methodDefinition, streamCall } from './grpc-clients.js';

/**
 * Each API on its own port, as Keto: the test reads every port's route and method tables from
 * the running server and asks each port for every route and method the other ports serve.
 */

const PORTS: readonly EndpointName[] = ['read', 'write', 'opl', 'metrics'];
const EVERYWHERE_REST = new Set(['GET /health/alive', 'GET /health/ready', 'GET /version']);
const isEverywhereGrpc = (path: string) =>
  path.startsWith('/grpc.health.v1.Health/') ||
  path.startsWith('/grpc.reflection.') ||
  path === '/ory.keto.relation_tuples.v1alpha2.VersionService/GetVersion';

/** What a port serves by Keto's registration: its API's routes and the OpenAPI document (the metrics port: the metrics route). */
const ownRest = (port: EndpointName) =>
  new Set(
    port === 'metrics'
      ? ['GET /metrics/prometheus']
      : [
          'GET /.well-known/openapi.json',
          ...[...API_REST_ROUTES, ...GATEHOUSE_STREAM_ROUTES].filter((r) => r.api === port).map((r) => `${r.method} ${r.path}`),
        ],
  );
const API_GRPC_METHODS = [...KETO_GRPC_METHODS, ...GATEHOUSE_GRPC_METHODS];
const ownGrpc = (port: EndpointName) => new Set(API_GRPC_METHODS.filter((m) => m.api === port).map((m) => m.path));
/** Streams last until the client leaves: they are probed with a snaptoken they refuse at once. */
const isStream = (path: string) => GATEHOUSE_STREAM_ROUTES.some((r) => r.path === path) || GATEHOUSE_GRPC_METHODS.some((m) => m.path === path && m.streaming);

/** The request and response types of a method, for a client that calls it with an empty message. */
const methodTypes = (path: string) => {
  const known = API_GRPC_METHODS.find((m) => m.path === path);
  assert.ok(known, `${path} is one of the API's methods`);
  return known;
};

/** A unary call with an empty request (a refused snaptoken for a stream); resolves with the status it ended with. */
function callStatus(address: string, path: string): Promise<{ code: number; details: string }> {
  const { requestType, responseType } = methodTypes(path);
  const Client = grpc.makeGenericClientConstructor({ call: methodDefinition(path, requestType, responseType) }, 'Probe');
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    (client as any).call(isStream(path) ? { snaptoken: 'probe' } : {}, (err: grpc.ServiceError | null) => {
      client.close();
      resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
    });
  });
}

describe('each API on its own port', () => {
  let gh: RunningGatehouse;
  let dir: string;
  const url = (port: EndpointName) => `http://127.0.0.1:${gh.addresses[port].port}`;
  const address = (port: EndpointName) => `127.0.0.1:${gh.addresses[port].port}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-ports-'));
    const config = join(dir, 'config.json');
    const serve = Object.fromEntries(PORTS.map((p) => [p, { host: '127.0.0.1', port: 0 }]));
    writeFileSync(config, JSON.stringify({ dsn: 'memory', namespaces: [{ name: 'files' }], serve, log: { level: 'error', format: 'json' } }));
    gh = await startGatehouse({ files: [config], env: {} });
  });
  after(async () => {
    await gh.stop();
    assert.equal(await gh.stopped, 0);
    rmSync(dir, { recursive: true, force: true });
  });

  test("each port's tables hold exactly its API, health and version", () => {
    for (const api of ['read', 'write', 'opl'] as const) {
      assert.deepEqual(
        [...gh.served[api].rest].sort(),
        [...EVERYWHERE_REST, ...ownRest(api)].sort(),
        `REST on ${api}`,
      );
      assert.deepEqual(
        gh.served[api].grpc.filter((m) => !isEverywhereGrpc(m)).sort(),
        [...ownGrpc(api)].sort(),
        `gRPC on ${api}`,
      );
    }
    assert.deepEqual([...gh.served.metrics.rest].sort(), [...EVERYWHERE_REST, 'GET /metrics/prometheus'].sort());
    assert.deepEqual(gh.served.metrics.grpc, []);
  });

  test("the OpenAPI document lists exactly each port's routes, and the API ports serve it", async () => {
    const paths = OPENAPI_DOCUMENT['paths'] as Record<string, Record<string, { 'x-gatehouse-ports': string[] }>>;
    for (const port of PORTS) {
      const documented = Object.entries(paths).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([, operation]) => operation['x-gatehouse-ports'].includes(port))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      assert.deepEqual(documented.sort(), [...gh.served[port].rest].sort(), `port ${port}`);
    }
    for (const port of ['read', 'write', 'opl'] as const) {
      const response = await fetch(`${url(port)}/.well-known/openapi.json`);
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(await response.json(), OPENAPI_DOCUMENT);
    }
  });

  test('every REST route of another port is 404 here, over HTTP/1.1 and h2c', async () => {
    const everyRoute = new Set(PORTS.flatMap((p) => gh.served[p].rest));
    const refusedPerPort: Record<string, number> = {};
    for (const port of PORTS) {
      const own = ownRest(port);
      let refused = 0;
      for (const route of everyRoute) {
        if (own.has(route) || EVERYWHERE_REST.has(route)) continue;
        const [method, path] = route.split(' ') as [string, string];
        const one = await http1Request(`${url(port)}${path}`, { method, headers: { 'x-request-id': 'p' } });
        assert.equal(one.status, 404, `${route} on ${port}: ${one.status} ${one.body}`);
        assert.deepEqual(JSON.parse(one.body), {
          error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found', request: 'p' },
        });
        const two = await h2cRequest(url(port), path, { method });
        assert.equal(two.status, 404, `${route} on ${port} over h2c: ${two.status} ${two.body}`);
        assert.equal(gh.served[port].rest.includes(route), false, `${route} is in the table of ${port}`);
        refused++;
      }
      refusedPerPort[port] = refused;
    }
    // 11 read routes (Keto's 8, the 2 lookups and watch), 3 write routes, 1 OPL route and the metrics route;
    // the API ports' OpenAPI document is not on the metrics port
    assert.deepEqual(refusedPerPort, { read: 5, write: 13, opl: 15, metrics: 16 });
  });

  test("each port's own routes are routed there", async () => {
    for (const port of PORTS) {
      for (const route of gh.served[port].rest) {
        const [method, path] = route.split(' ') as [string, string];
        const res = await http1Request(`${url(port)}${path}${isStream(path) ? '?snaptoken=probe' : ''}`, { method });
        // The router's own 404 names no reason; a handler's (unknown namespace) does.
        const routerMiss = res.status === 404 && JSON.parse(res.body).error.reason === undefined;
        assert.ok(!routerMiss && res.status !== 405, `${route} on ${port}: ${res.status} ${res.body}`);
      }
    }
  });

  test('every gRPC method of another port is UNIMPLEMENTED here', async () => {
    const everyMethod = new Set(PORTS.flatMap((p) => gh.served[p].grpc));
    const refusedPerPort: Record<string, number> = {};
    for (const port of PORTS) {
      const own = ownGrpc(port);
      let refused = 0;
      for (const method of everyMethod) {
        if (own.has(method) || isEverywhereGrpc(method)) continue;
        const status = await callStatus(address(port), method);
        assert.equal(status.code, grpc.status.UNIMPLEMENTED, `${method} on ${port}: ${status.code} ${status.details}`);
        // The metrics port speaks no gRPC: its HTTP 404 is what the client turns into UNIMPLEMENTED.
        if (port !== 'metrics') assert.equal(status.details, `unknown method ${method}`);
        assert.equal(gh.served[port].grpc.includes(method), false, `${method} is in the table of ${port}`);
        refused++;
      }
      refusedPerPort[port] = refused;
    }
    // 9 read methods (Keto's 5, gatehouse's Watch, ListObjects, ListSubjects and ExplainService.Check), 2 write methods, 1 OPL method
    assert.deepEqual(refusedPerPort, { read: 3, write: 10, opl: 11, metrics: 12 });
  });

  test("each port's own gRPC methods are served there", async () => {
    for (const port of ['read', 'write', 'opl'] as const) {
      for (const method of gh.served[port].grpc) {
        if (isEverywhereGrpc(method)) continue;
        const status = await callStatus(address(port), method);
        assert.notEqual(status.code, grpc.status.UNIMPLEMENTED, `${method} on ${port}: ${status.details}`);
      }
    }
  });

  test("server reflection lists the services of the port's table, and only those", async () => {
    for (const port of ['read', 'write', 'opl'] as const) {
      const services = [...new Set(gh.served[port].grpc.map((m) => m.slice(1, m.lastIndexOf('/'))))].sort();
      for (const version of ['v1', 'v1alpha'] as const) {
        const [answer] = await streamCall(
          address(port),
          `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
          `grpc.reflection.${version}.ServerReflectionRequest`,
          `grpc.reflection.${version}.ServerReflectionResponse`,
          [{ listServices: '*' }],
        );
        const listed = answer.listServicesResponse.service.map((s: { name: string }) => s.name);
        assert.deepEqual(listed, services, `reflection ${version} on ${port}`);
      }
    }
  });
});
