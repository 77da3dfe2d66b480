import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { API_REST_ROUTES } from '../../src/transport/keto-surface.js';
import { healthRoutes } from '../../src/transport/rest/health.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { closeClientConnections, envelopeProblem, h2Request, rawRequest, request, type FuzzResponse } from './support/http.js';
import { FUZZ_SEED, runs } from './support/knobs.js';
import { oplNamespacesConfig } from './support/model.js';
import { rawBytes, routeRequests, type FuzzRequest } from './support/rest-requests.js';
import { seededShuffle } from './support/shuffle.js';
import { filterQuery, TupleModel, validTuple, type KetoTuple, type TupleFilter } from './support/tuples.js';

/**
 * Random and mutated REST requests to every route gatehouse serves (Keto's surface and the
 * health routes, taken from the server's own lists): no 5xx, every error in Keto's envelope,
 * the process alive, and the stored tuples exactly what the successful writes imply.
 */

const BODY_LIMIT = 2 * 1024 * 1024;
const ROUTES = [
  ...healthRoutes({ version: '', readiness: () => [] }).map(({ method, path }) => ({ method, path })),
  ...API_REST_ROUTES,
];
const WRITE_PATH = '/admin/relation-tuples';
/** Each route is served on its API's port; health routes and unknown paths go to the write port. */
const portOf = (method: string, path: string): 'read' | 'write' | 'opl' =>
  API_REST_ROUTES.find((r) => r.method === method && r.path === path)?.api ?? 'write';
const CHECK_PATHS = new Set(['/relation-tuples/check']);

type Step =
  | { kind: 'fuzz'; route: string; request: FuzzRequest }
  | { kind: 'put'; tuple: KetoTuple }
  | { kind: 'patch'; deltas: { action: 'insert' | 'delete'; relation_tuple: KetoTuple }[] }
  | { kind: 'patch-invalid'; body: unknown[] }
  | { kind: 'delete'; pick: number; fields: number };

/** Deltas the PATCH parser must refuse, each making the whole PATCH fail. */
const invalidDelta: fc.Arbitrary<unknown> = fc.oneof(
  validTuple.map((t) => ({ action: 'insert', relation_tuple: { ...t, namespace: 'NoSuchNamespace' } })),
  validTuple.map((t) => ({
    action: 'insert',
    relation_tuple: { ...t, subject_id: undefined, subject_set: { namespace: 'Unknown', object: 'o', relation: 'r' } },
  })),
  validTuple.map((t) => ({ action: 'insert', relation_tuple: { namespace: t.namespace, object: t.object, relation: t.relation } })),
  validTuple.map((t) => ({ action: 'insert', relation_tuple: { ...t, relation: ['owners'] } })),
  validTuple.map((t) => ({ action: 'upsert', relation_tuple: t })),
  validTuple.map((t) => ({ action: '', relation_tuple: t })),
  validTuple.map((t) => ({ action: 7, relation_tuple: t })),
  validTuple.map((t) => ({ action: 'insert', relation_tuple: { ...t, namespace: 5 } })),
  validTuple.map((t) => ({ action: 'delete', relation_tuple: { ...t, subject_id: undefined, subject_set: { object: 'o', relation: 'r' } } })),
  fc.constantFrom({ action: 'insert' }, { action: 'insert', relation_tuple: null }, { action: 'insert', relation_tuple: 'Doc:a#owners@x' }, 42, 'x', [], true),
);

const validDelta = fc.record({ action: fc.constantFrom<'insert' | 'delete'>('insert', 'insert', 'delete'), relation_tuple: validTuple });

function program(): Step[] {
  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] => fc.sample(arb, { seed: FUZZ_SEED + salt, numRuns: n });
  const steps: Step[] = [];
  ROUTES.forEach((route, i) => {
    for (const request of sample(routeRequests(route), runs(150), i + 1)) steps.push({ kind: 'fuzz', route: `${route.method} ${route.path}`, request });
  });
  for (const tuple of sample(validTuple, runs(200), 101)) steps.push({ kind: 'put', tuple });
  for (const deltas of sample(fc.array(validDelta, { minLength: 1, maxLength: 8 }), runs(100), 102)) steps.push({ kind: 'patch', deltas });
  const invalid = fc
    .tuple(fc.array(validDelta, { maxLength: 6 }), invalidDelta, fc.nat())
    .map(([valid, bad, at]) => {
      const body: unknown[] = [...valid];
      body.splice(at % (valid.length + 1), 0, bad);
      return body;
    });
  for (const body of sample(invalid, runs(100), 103)) steps.push({ kind: 'patch-invalid', body });
  for (const [pick, fields] of sample(fc.tuple(fc.nat(), fc.nat({ max: 3 })), runs(50), 104)) steps.push({ kind: 'delete', pick, fields });
  return seededShuffle(steps, FUZZ_SEED);
}

function show(req: FuzzRequest): string {
  const body = req.body.length > 300 ? `${req.body.subarray(0, 300).toString('utf8')}… (${req.body.length} bytes)` : req.body.toString('utf8');
  const query = req.query.length > 300 ? `${req.query.slice(0, 300)}… (${req.query.length} chars)` : req.query;
  return `${req.raw ? 'raw ' : ''}${req.method} ${req.path}?${query} ${JSON.stringify(req.headers)} body=${JSON.stringify(body)} (seed ${FUZZ_SEED})`;
}

describe('REST fuzzing', { concurrency: false }, () => {
  let gh: GatehouseProcess;
  let cleanup: () => void;
  const sent = new Map<string, number>();
  const count = (what: string) => sent.set(what, (sent.get(what) ?? 0) + 1);

  before(async () => {
    const opl = oplNamespacesConfig();
    cleanup = opl.remove;
    // Warnings and errors only: an unexpected failure is logged at error level and fails the run.
    gh = await startGatehouseProcess({
      config: { namespaces: opl.namespaces, limit: { max_request_body_size: BODY_LIMIT }, log: { level: 'warn' } },
    });
  });
  after(async () => {
    closeClientConnections();
    const code = await gh.stop();
    cleanup();
    assert.equal(code, 0);
  });

  /** The last requests sent, named in a failure (a server state can depend on them). */
  const history: string[] = [];
  /** Every fifth request goes over cleartext HTTP/2 (its own exchange code path) when its headers allow. */
  let sentCount = 0;
  const send = (req: FuzzRequest): Promise<FuzzResponse> => {
    count('total');
    history.push(show(req));
    if (history.length > 4) history.shift();
    const target = req.query === '' ? req.path : `${req.path}?${req.query}`;
    // Over HTTP/2 a header list past the limit is refused by the protocol layer (REFUSED_STREAM), no 431 to check.
    const h2 = ++sentCount % 5 === 0 && target.length < 60 * 1024 && Object.values(req.headers).every((v) => /^[\x20-\x7e]*$/.test(v));
    if (h2) count('over HTTP/2');
    const port = portOf(req.method, req.path);
    const answer = req.raw || req.method === 'HEAD'
      ? rawRequest(gh.ports[port], rawBytes(req), req.method === 'HEAD')
      : h2
        ? h2Request(gh.url[port], req.method, target, req.headers, req.body)
        : request(gh.url[port], req.method, target, req.headers, req.body);
    return answer.catch((err: Error) => {
      throw new Error(`${err.message} for ${h2 ? 'h2 ' : ''}${show(req)}; before it: ${history.slice(0, -1).join('\n')}`);
    });
  };

  const assertAnswer = (req: FuzzRequest, res: FuzzResponse) => {
    assert.ok(res.status < 500, `${res.status} ${res.body} for ${show(req)}`);
    if (req.method === 'HEAD') return;
    if (res.status < 300) {
      if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
        assert.doesNotThrow(() => JSON.parse(res.body), `${res.status} ${res.body.slice(0, 300)} for ${show(req)}`);
      }
      return;
    }
    if (res.status === 403 && CHECK_PATHS.has(req.path) && res.body === '{"allowed":false}') return;
    const problem = envelopeProblem(res);
    assert.equal(problem, undefined, `${res.status} ${res.body}: ${problem} for ${show(req)}`);
    const echoed = (JSON.parse(res.body) as { error: { request?: string } }).error.request;
    const sentId = req.headers['x-request-id'];
    if (echoed !== undefined && sentId !== undefined && /^[\x21-\x7e]{1,200}$/.test(sentId)) {
      assert.equal(echoed, sentId, `the request id is echoed: ${res.body} for ${show(req)}`);
    }
  };

  const listAll = async (): Promise<KetoTuple[]> => {
    const out: KetoTuple[] = [];
    let token = '';
    for (;;) {
      count('total');
      count('listing');
      const res = await request(gh.url.read, 'GET', `/relation-tuples?page_size=500${token && `&page_token=${encodeURIComponent(token)}`}`, {}, undefined);
      assert.equal(res.status, 200, res.body);
      const page = JSON.parse(res.body) as { relation_tuples: KetoTuple[]; next_page_token: string };
      out.push(...page.relation_tuples);
      if (page.next_page_token === '') return out;
      token = page.next_page_token;
    }
  };

  const assertStoreMatches = async (model: TupleModel, after: string) => {
    const listed = new TupleModel();
    listed.replaceWith(await listAll());
    assert.deepEqual(Object.fromEntries(listed.counts()), Object.fromEntries(model.counts()), `stored tuples differ from the writes after ${after}`);
  };

  test('every route: no 5xx, errors in the envelope, no partial writes, the process alive', async (t) => {
    const model = new TupleModel();
    let resyncs = 0;
    // Requests that cannot write run a few at a time; writes and store checks run alone, in order.
    let reads: Promise<void>[] = [];
    const flush = async () => {
      await Promise.all(reads);
      reads = [];
    };
    for (const step of program()) {
      if (step.kind === 'fuzz' && step.request.path !== WRITE_PATH) {
        const req = step.request;
        count(step.route);
        reads.push(send(req).then((res) => assertAnswer(req, res)));
        if (reads.length === 8) await flush();
        continue;
      }
      await flush();
      switch (step.kind) {
        case 'fuzz': {
          const req = step.request;
          count(step.route);
          const res = await send(req);
          assertAnswer(req, res);
          if (res.status >= 200 && res.status < 300) {
            if (req.method === 'PUT') model.insert(JSON.parse(res.body) as KetoTuple);
            else if (req.method === 'PATCH' || req.method === 'DELETE') {
              // A random body or query that happens to be a valid write: take the stored state as the new
              // baseline, after checking that a DELETE only removed rows.
              const listed = await listAll();
              if (req.method === 'DELETE') {
                const now = new TupleModel();
                now.replaceWith(listed);
                const before = model.counts();
                for (const [key, n] of now.counts()) assert.ok(n <= (before.get(key) ?? 0), `${show(req)} added ${key}`);
              }
              model.replaceWith(listed);
              resyncs++;
            }
          }
          break;
        }
        case 'put': {
          count('valid PUT');
          const req = jsonRequest('PUT', step.tuple);
          const res = await send(req);
          assert.equal(res.status, 201, `${res.body} for ${show(req)}`);
          model.insert(step.tuple);
          break;
        }
        case 'patch': {
          count('valid PATCH');
          const req = jsonRequest('PATCH', step.deltas);
          const res = await send(req);
          assert.equal(res.status, 204, `${res.body} for ${show(req)}`);
          const inserts = step.deltas.filter((d) => d.action === 'insert');
          const deletes = step.deltas.filter((d) => d.action === 'delete');
          for (const d of inserts) model.insert(d.relation_tuple);
          for (const d of deletes) model.remove(d.relation_tuple);
          break;
        }
        case 'patch-invalid': {
          const req = jsonRequest('PATCH', step.body);
          const res = await send(req);
          count('PATCH with one invalid delta');
          assert.ok(res.status === 400 || res.status === 404, `${res.status} ${res.body} for ${show(req)}`);
          assertAnswer(req, res);
          await assertStoreMatches(model, show(req));
          break;
        }
        case 'delete': {
          const stored = model.tuples();
          if (stored.length === 0) break;
          const victim = stored[step.pick % stored.length]!;
          const filter: TupleFilter = { namespace: victim.namespace };
          if (step.fields >= 1) filter.object = victim.object;
          if (step.fields >= 2) filter.relation = victim.relation;
          if (step.fields >= 3) {
            if (victim.subject_id !== undefined) filter.subject_id = victim.subject_id;
            else filter.subject_set = victim.subject_set!;
          }
          count('valid DELETE');
          const req: FuzzRequest = { method: 'DELETE', path: WRITE_PATH, query: filterQuery(filter), headers: {}, body: Buffer.alloc(0), raw: false };
          const res = await send(req);
          assert.equal(res.status, 204, `${res.body} for ${show(req)}`);
          model.removeMatching(filter);
          break;
        }
      }
    }
    await flush();
    await assertStoreMatches(model, 'the whole run');

    const alive = await request(gh.url.read, 'GET', '/health/alive', {}, undefined);
    assert.equal(alive.status, 200);
    assert.equal(gh.child.exitCode, null);
    const failures = gh.logs.filter((l) => (l as { msg?: string }).msg === 'request failed');
    assert.deepEqual(failures, [], 'unexpected errors were logged');
    t.diagnostic(`seed ${FUZZ_SEED}; ${model.size} tuples stored; ${resyncs} random writes succeeded and reset the baseline`);
    t.diagnostic(`requests: ${JSON.stringify(Object.fromEntries(sent))}`);

  });

  test('a PATCH of 5000 deltas whose last one is invalid writes nothing; the same deltas without it write all', async () => {
    const before = (await listAll()).length;
    const deltas = Array.from({ length: 5000 }, (_, i) => ({
      action: 'insert',
      relation_tuple: { namespace: 'Doc', object: `bulk-${i}`, relation: 'viewers', subject_id: `user-${i % 97}` },
    }));
    for (const bad of [{ action: 'insert', relation_tuple: { namespace: 'Nope', object: 'o', relation: 'r', subject_id: 's' } }, { action: 'remove' }]) {
      const refused = await request(gh.url.write, 'PATCH', WRITE_PATH, {}, Buffer.from(JSON.stringify([...deltas, bad])));
      assert.ok(refused.status === 400 || refused.status === 404, refused.body);
      assert.equal(envelopeProblem(refused), undefined, refused.body);
      assert.equal((await listAll()).length, before);
    }
    const accepted = await request(gh.url.write, 'PATCH', WRITE_PATH, {}, Buffer.from(JSON.stringify(deltas)));
    assert.equal(accepted.status, 204, accepted.body);
    assert.equal((await listAll()).length, before + deltas.length);
  });

  test(`a body over max_request_body_size (${BODY_LIMIT} bytes) is 413 in the envelope, declared, chunked or over HTTP/2`, async () => {
    const big = Buffer.alloc(BODY_LIMIT + 1, 0x20);
    for (const [method, path] of [['PUT', WRITE_PATH], ['PATCH', WRITE_PATH], ['POST', '/relation-tuples/check'], ['POST', '/opl/syntax/check']]) {
      for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
        const res = await request(gh.url[portOf(method!, path!)], method!, path!, headers, big);
        assert.equal(res.status, 413, `${method} ${path} ${JSON.stringify(headers)}: ${res.body}`);
        assert.equal(envelopeProblem(res), undefined, res.body);
        assert.equal(JSON.parse(res.body).error.message, `The request body exceeds the limit of ${BODY_LIMIT} bytes.`);
      }
      const overH2 = await h2Request(gh.url[portOf(method!, path!)], method!, path!, {}, big);
      assert.equal(overH2.status, 413, `${method} ${path} over HTTP/2: ${overH2.body}`);
      assert.equal(envelopeProblem(overH2), undefined, overH2.body);
    }
    const alive = await request(gh.url.read, 'GET', '/health/alive', {}, undefined);
    assert.equal(alive.status, 200);
  });

  test('malformed HTTP/1.1 messages are answered in the envelope', async (t) => {
    const malformed = [
      'GET /health/alive HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'PUT /admin/relation-tuples HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
      'PUT /admin/relation-tuples HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'PUT /admin/relation-tuples HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab',
      'GET /health/alive HTTP/1.1\r\nHo st: x\r\n\r\n',
      'GET /health/alive HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n',
      'GET /health/alive HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /health/alive\r\n\r\n',
      'GET  /health/alive HTTP/1.1\r\nHost: x\r\n\r\n',
      '\u0000\u0001\u0002\u0003\r\n\r\n',
      'GET /health/alive HTTP/1.1\nHost: x\n\n',
      'GET /relation-tuples?namespace=a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /relation-tuples?namespace=a b HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://evil.example/relation-tuples HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
      'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n',
    ];
    const seen: string[] = [];
    for (const text of malformed) {
      const res = await rawRequest(gh.ports.read, Buffer.from(`${text}`, 'latin1')).catch((err: Error) => err);
      seen.push(res instanceof Error ? 'closed' : String(res.status));
      if (res instanceof Error) {
        // Closing the connection is an answer too, for bytes that are not HTTP at all; the server must live on.
        assert.match(res.message, /closed without a complete answer|ECONNRESET/, `${JSON.stringify(text)}: ${res.message}`);
        continue;
      }
      assert.ok(res.status < 500, `${JSON.stringify(text)}: ${res.status} ${res.body}`);
      if (res.status >= 300) assert.equal(envelopeProblem(res), undefined, `${JSON.stringify(text)}: ${res.status} ${res.body}`);
    }
    t.diagnostic(`answers: ${seen.join(' ')}`);
    const alive = await request(gh.url.read, 'GET', '/health/alive', {}, undefined);
    assert.equal(alive.status, 200);
  });

  test('a 64 KiB header is 431 in the envelope', async () => {
    for (const path of ['/relation-tuples', '/health/alive']) {
      const res = await rawRequest(
        gh.ports.read,
        Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`),
      );
      assert.equal(res.status, 431, res.body);
      assert.equal(envelopeProblem(res), undefined, res.body);
    }
    const longUrl = await rawRequest(gh.ports.read, Buffer.from(`GET /relation-tuples?namespace=${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    assert.equal(longUrl.status, 431, longUrl.body);
    assert.equal(envelopeProblem(longUrl), undefined, longUrl.body);
    const alive = await request(gh.url.read, 'GET', '/health/alive', {}, undefined);
    assert.equal(alive.status, 200);
  });
});

function jsonRequest(method: string, body: unknown): FuzzRequest {
  return { method, path: WRITE_PATH, query: '', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), raw: false };
}
