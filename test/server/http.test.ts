import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { API_REST_ROUTES } from '../../src/transport/keto-surface.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { h2cRequest, http1Request } from './clients.js';

describe('REST over HTTP/1.1 and h2c', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { limit: { max_request_body_size: 65536 } } });
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });

  test('HTTP/1.1 and cleartext HTTP/2 are served on the same port', async () => {
    for (const port of ['read', 'write', 'opl'] as const) {
      const one = await http1Request(`${gh.url[port]}/health/alive`);
      assert.equal(one.status, 200);
      assert.deepEqual(JSON.parse(one.body), { status: 'ok' });
      const two = await h2cRequest(gh.url[port], '/health/alive');
      assert.equal(two.status, 200);
      assert.deepEqual(JSON.parse(two.body), { status: 'ok' });
    }
  });

  test('health, readiness and version on every port', async () => {
    const { VERSION } = await import('../../src/version.js');
    for (const port of ['read', 'write', 'opl', 'metrics'] as const) {
      const ready = await http1Request(`${gh.url[port]}/health/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(JSON.parse(ready.body), { status: 'ok' });
      const version = await h2cRequest(gh.url[port], '/version');
      assert.equal(version.status, 200);
      assert.deepEqual(JSON.parse(version.body), { version: VERSION });
    }
  });

  test('an unknown route is 404 and a wrong method 405, in the error envelope', async () => {
    const missing = await http1Request(`${gh.url.read}/no/such/route`, { headers: { 'x-request-id': 'req-404' } });
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.body), {
      error: { code: 404, status: 'Not Found', message: 'The requested resource could not be found', request: 'req-404' },
    });
    const wrong = await h2cRequest(gh.url.read, '/health/alive', { method: 'DELETE', headers: { 'x-request-id': 'r' } });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, OPTIONS');
    assert.deepEqual(JSON.parse(wrong.body), {
      error: { code: 405, status: 'Method Not Allowed', message: 'The method DELETE is not allowed for /health/alive', request: 'r' },
    });
  });

  test("every route of the API ports is served on its API's port", async () => {
    // What a minimal request gets from an empty memory store with no namespaces.
    const error = (code: number, status: string, message: string, reason?: string) => ({
      error: { code, status, message, ...(reason === undefined ? {} : { reason }), request: 'routes' },
    });
    const badRequest = (message: string, reason?: string) => error(400, 'Bad Request', message, reason);
    const subjectNil = badRequest('subject is not allowed to be nil');
    const probes: Record<string, { body?: string; status: number; answer: unknown }> = {
      'GET /relation-tuples': { status: 200, answer: { relation_tuples: [], next_page_token: '' } },
      'GET /relation-tuples/check': { status: 400, answer: subjectNil },
      'POST /relation-tuples/check': { body: '{}', status: 403, answer: { allowed: false } },
      'GET /relation-tuples/check/openapi': { status: 400, answer: subjectNil },
      'POST /relation-tuples/check/openapi': { body: '{}', status: 200, answer: { allowed: false } },
      'POST /relation-tuples/batch/check': { body: '{"tuples":[]}', status: 200, answer: { results: [] } },
      'GET /relation-tuples/expand': {
        status: 404,
        answer: error(404, 'Not Found', 'The requested resource could not be found', 'Unknown namespace with name "".'),
      },
      'GET /namespaces': { status: 200, answer: { namespaces: [] } },
      'PUT /admin/relation-tuples': { body: '{}', status: 400, answer: subjectNil },
      'DELETE /admin/relation-tuples': {
        status: 400,
        answer: badRequest(
          'The request was malformed or contained invalid parameters',
          'query parameters must specify at least one of the following: namespace',
        ),
      },
      'PATCH /admin/relation-tuples': { body: '[]', status: 204, answer: undefined },
      'POST /opl/syntax/check': { body: 'class User implements Namespace {}', status: 200, answer: {} },
      'GET /relation-tuples/list-objects': { status: 400, answer: badRequest('missing query parameter: namespace, relation') },
      'GET /relation-tuples/list-subjects': { status: 400, answer: badRequest('missing query parameter: namespace, object, relation') },
    };
    assert.deepEqual(Object.keys(probes).sort(), API_REST_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of API_REST_ROUTES) {
      const probe = probes[`${route.method} ${route.path}`]!;
      const res = await http1Request(`${gh.url[route.api]}${route.path}`, {
        method: route.method,
        headers: { 'x-request-id': 'routes', ...(probe.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: probe.body,
      });
      const what = `${route.method} ${route.path} on ${route.api}`;
      assert.equal(res.status, probe.status, `${what}: ${res.body}`);
      assert.deepEqual(res.body === '' ? undefined : JSON.parse(res.body), probe.answer, what);
    }
  });

  test('OPTIONS on a known path lists its methods, as Keto\'s router does', async () => {
    const res = await http1Request(`${gh.url.read}/relation-tuples/check`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.allow, 'GET, POST, OPTIONS');
    assert.equal(res.body, '');
  });

  test('a body over the limit is 413 whether it declares its length or not', async () => {
    const big = Buffer.alloc(65537, 0x20);
    const declared = await http1Request(`${gh.url.write}/admin/relation-tuples`, { method: 'PUT', body: big });
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.body).error.message, 'The request body exceeds the limit of 65536 bytes.');
    const chunked = await http1Request(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      headers: { 'transfer-encoding': 'chunked' },
      body: big,
    });
    assert.equal(chunked.status, 413);
    const overH2 = await h2cRequest(gh.url.write, '/admin/relation-tuples', { method: 'PUT', body: big });
    assert.equal(overH2.status, 413);
    assert.equal(JSON.parse(overH2.body).error.code, 413);
  });

  test('a client still sending a body of more than 16 MiB reads the 413, not a reset', async () => {
    // Over the size up to which the rest of a refused body is read on a kept connection.
    const total = 40 * 2 ** 20;
    for (const head of [
      `PUT /admin/relation-tuples HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`,
      'PUT /admin/relation-tuples HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
    ]) {
      const chunked = head.includes('chunked');
      const socket = net.connect(gh.ports.write, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (c: Buffer) => received.push(c));
      let error: NodeJS.ErrnoException | undefined;
      const closed = new Promise<void>((resolve) => {
        socket.on('close', () => resolve());
        socket.on('error', (err) => (error = err));
      });
      await once(socket, 'connect');
      socket.write(head);
      const piece = Buffer.alloc(2 ** 20, 0x20);
      const framed = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
      for (let sent = 0; sent < total && !socket.destroyed && received.length === 0; sent += piece.length) {
        if (!socket.write(framed)) await Promise.race([once(socket, 'drain'), closed]);
      }
      if (!socket.destroyed) socket.end();
      await closed;
      assert.equal(error?.code, undefined, `${chunked ? 'chunked' : 'declared'}: ${error?.message}`);
      assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 413 /, chunked ? 'chunked' : 'declared');
    }
  });

  test("malformed JSON is named once: the check routes' prefix, the write routes' bare reason, as in Keto", async () => {
    const message = async (port: 'read' | 'write', method: string, path: string) =>
      JSON.parse((await http1Request(`${gh.url[port]}${path}`, { method, body: '{"namespace":' })).body).error.message;
    const reason = 'Unexpected end of JSON input at position 13';
    assert.equal(await message('read', 'POST', '/relation-tuples/check'), `could not unmarshal json: ${reason}`);
    assert.equal(await message('read', 'POST', '/relation-tuples/check/openapi'), `could not unmarshal json: ${reason}`);
    assert.equal(await message('read', 'POST', '/relation-tuples/batch/check'), `could not unmarshal json: ${reason}`);
    assert.equal(await message('write', 'PUT', '/admin/relation-tuples'), reason);
    assert.equal(await message('write', 'PATCH', '/admin/relation-tuples'), reason);
  });

  test('headers of 64 KiB or more are refused with 431', async () => {
    const res = await http1Request(`${gh.url.read}/health/alive`, { headers: { 'x-large': 'a'.repeat(65536) } });
    assert.equal(res.status, 431);
    assert.deepEqual(JSON.parse(res.body).error.status, 'Request Header Fields Too Large');
  });

  test('a client still sending oversized headers reads the 431, not a reset', async () => {
    const socket = net.connect(gh.ports.read, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    const closed = new Promise<void>((resolve, reject) => {
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await once(socket, 'connect');
    socket.write('GET /health/alive?x=');
    const chunk = 'a'.repeat(65536);
    for (let i = 0; i < 64; i++) if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), closed]);
    socket.end();
    await closed;
    assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 431 /);
  });

  test('the metrics port serves Prometheus metrics with bounded labels', async () => {
    await http1Request(`${gh.url.read}/health/alive`);
    await http1Request(`${gh.url.read}/unknown-${Date.now()}`);
    const res = await http1Request(`${gh.url.metrics}/metrics/prometheus`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type']!, /^text\/plain/);
    assert.match(res.body, /^gatehouse_http_requests_total\{route="\/health\/alive",method="GET",status="200"\} \d+$/m);
    assert.match(res.body, /^gatehouse_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+$/m);
    assert.match(res.body, /^process_cpu_seconds_total /m);
    assert.doesNotMatch(res.body, /unknown-\d+/);
    const notOnMetrics = await http1Request(`${gh.url.metrics}/relation-tuples`);
    assert.equal(notOnMetrics.status, 404);
  });

  test('one access log line per request with method, path, status, latency and request id', async () => {
    await http1Request(`${gh.url.read}/health/alive`, { headers: { 'x-request-id': 'access-line-1' } });
    await h2cRequest(gh.url.read, '/version', { headers: { 'x-request-id': 'access-line-2' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = gh.logs.filter(
      (l): l is Record<string, unknown> =>
        typeof l === 'object' && l !== null && String((l as { request_id?: string }).request_id).startsWith('access-line-'),
    );
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map(({ method, path, status, protocol, request_id, msg }) => ({ method, path, status, protocol, request_id, msg })),
      [
        { method: 'GET', path: '/health/alive', status: 200, protocol: 'http/1.1', request_id: 'access-line-1', msg: 'request handled' },
        { method: 'GET', path: '/version', status: 200, protocol: 'h2', request_id: 'access-line-2', msg: 'request handled' },
      ],
    );
    for (const line of lines) assert.equal(typeof line.latency_ms, 'number');
  });
});
