import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { messageType, TO_OBJECT } from '../../src/transport/grpc/schema.js';
import { startGatehouseProcess } from '../support/server.js';

/** `npm run chaos` repeats the SIGTERM-under-load runs more often. */
const SIGTERM_RUNS = Math.max(1, Number(process.env['GATEHOUSE_SHUTDOWN_RUNS'] ?? 3) || 3);

/**
 * Graceful stop with real sockets: requests are held in flight by uploading their bodies
 * slowly (headers first, the rest of the body only after SIGTERM was sent).
 */

const BODY = JSON.stringify({ namespace: 'files', object: 'readme', relation: 'view', subject_id: 'alice' });
const PATH = '/admin/relation-tuples';

interface Answer {
  status: number;
  body: unknown;
  connection?: string | undefined;
}

/** The answer without its per-request id, to compare with the answer before shutdown. */
function normalise(status: number, text: string, connection?: string): Answer {
  const body = text === '' ? '' : (JSON.parse(text) as { error?: { request?: string } });
  if (typeof body === 'object' && body.error) delete body.error.request;
  return { status, body, connection };
}

/** An HTTP/1.1 request whose headers (and half its body) are known to have reached the server. */
async function heldHttp1(origin: string): Promise<{ answer: Promise<Answer>; finish: () => Promise<Answer> }> {
  const req = http.request(`${origin}${PATH}`, {
    method: 'PUT',
    agent: new http.Agent({ keepAlive: true }),
    headers: { 'content-type': 'application/json', 'content-length': String(BODY.length), expect: '100-continue' },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve(normalise(res.statusCode!, text, res.headers.connection)));
    });
    req.on('error', reject);
  });
  await new Promise<void>((resolve) => req.once('continue', resolve));
  req.write(BODY.slice(0, 10));
  return {
    answer,
    finish: () => {
      req.end(BODY.slice(10));
      return answer;
    },
  };
}

function heldH2(session: http2.ClientHttp2Session): { answer: Promise<Answer>; finish: () => Promise<Answer> } {
  const stream = session.request({ ':method': 'PUT', ':path': PATH, 'content-type': 'application/json' });
  const answer = new Promise<Answer>((resolve, reject) => {
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8').on('data', (c: string) => (text += c));
    stream.on('end', () => resolve(normalise(status, text)));
    stream.on('error', reject);
  });
  stream.write(BODY.slice(0, 10));
  return {
    answer,
    finish: () => {
      stream.end(BODY.slice(10));
      return answer;
    },
  };
}

/** A gRPC GetVersion call whose 5-byte message frame is sent in two parts. */
function heldGrpc(session: http2.ClientHttp2Session): { finish: () => Promise<{ status: string; bytes: number }> } {
  const stream = session.request({
    ':method': 'POST',
    ':path': '/ory.keto.relation_tuples.v1alpha2.VersionService/GetVersion',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  const answer = new Promise<{ status: string; bytes: number }>((resolve, reject) => {
    let bytes = 0;
    let status = '';
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('trailers', (t) => (status = String(t['grpc-status'])));
    stream.on('end', () => resolve({ status, bytes }));
    stream.on('error', reject);
  });
  stream.write(Buffer.from([0, 0]));
  return {
    finish: () => {
      stream.end(Buffer.from([0, 0, 0]));
      return answer;
    },
  };
}

/** Resolves once the server has processed everything this session sent so far. */
async function settled(session: http2.ClientHttp2Session): Promise<void> {
  if (session.connecting) await new Promise((resolve) => session.once('connect', resolve));
  await new Promise<void>((resolve, reject) => session.ping((err) => (err ? reject(err) : resolve())));
}

describe('SIGTERM', () => {
  test('requests in flight finish with their normal answers, then the process exits 0', async (t) => {
    const gh = await startGatehouseProcess({ config: { serve: { shutdown_grace_period: '20s' } } });
    t.after(() => gh.stop('SIGKILL'));
    const normal = await (await heldHttp1(gh.url.write)).finish();
    assert.equal(normal.connection, 'keep-alive');

    const session = http2.connect(gh.url.write);
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const held1 = await Promise.all([heldHttp1(gh.url.write), heldHttp1(gh.url.write), heldHttp1(gh.url.write)]);
    const held2 = [heldH2(session), heldH2(session)];
    const heldCall = heldGrpc(session);
    await settled(session);

    gh.child.kill('SIGTERM');
    await goaway;

    const answers1 = await Promise.all(held1.map((h) => h.finish()));
    for (const answer of answers1) assert.deepEqual(answer, { ...normal, connection: 'close' });
    const answers2 = await Promise.all(held2.map((h) => h.finish()));
    for (const answer of answers2) assert.deepEqual(answer, { ...normal, connection: undefined });
    const call = await heldCall.finish();
    assert.equal(call.status, '0');
    assert.ok(call.bytes > 5);
    session.close();

    const { code } = await gh.exited;
    assert.equal(code, 0);
  });

  test('requests still running when the grace period ends are answered 503', async (t) => {
    const gh = await startGatehouseProcess({ config: { serve: { shutdown_grace_period: '300ms' } } });
    t.after(() => gh.stop('SIGKILL'));
    const held = await heldHttp1(gh.url.write);
    const session = http2.connect(gh.url.write);
    session.on('error', () => {});
    const heldStream = heldH2(session);
    await settled(session);
    // The rest of the bodies is never sent.
    const answers = Promise.all([held.answer, heldStream.answer]).catch((err: Error) => err);
    gh.child.kill('SIGTERM');
    const { code } = await gh.exited;
    assert.equal(code, 0);
    const got = await answers;
    assert.ok(!(got instanceof Error), String(got));
    for (const answer of got as Answer[]) {
      assert.equal(answer.status, 503);
      assert.deepEqual(answer.body, {
        error: {
          code: 503,
          status: 'Service Unavailable',
          message: 'The server is shutting down and could not finish this request in time.',
        },
      });
    }
    session.close();
  });

  test('a gRPC health Watch hears NOT_SERVING, then its stream ends with OK', async (t) => {
    const gh = await startGatehouseProcess({});
    t.after(() => gh.stop('SIGKILL'));
    const request = messageType('grpc.health.v1.HealthCheckRequest');
    const response = messageType('grpc.health.v1.HealthCheckResponse');
    const Client = grpc.makeGenericClientConstructor(
      {
        watch: {
          path: '/grpc.health.v1.Health/Watch',
          requestStream: false,
          responseStream: true,
          requestSerialize: (v: object) => Buffer.from(request.encode(request.fromObject(v)).finish()),
          requestDeserialize: (b: Buffer) => request.decode(b),
          responseSerialize: (v: object) => Buffer.from(response.encode(response.fromObject(v)).finish()),
          responseDeserialize: (b: Buffer) => response.toObject(response.decode(b), TO_OBJECT),
        },
      },
      'Health',
    );
    const client = new Client(gh.grpc.read, grpc.credentials.createInsecure()) as any;
    const call = client.watch({ service: '' }) as grpc.ClientReadableStream<{ status: string }>;
    const statuses: string[] = [];
    const ended = new Promise<number>((resolve) => call.on('status', (s: grpc.StatusObject) => resolve(s.code)));
    call.on('data', (m: { status: string }) => {
      statuses.push(m.status);
      if (statuses.length === 1) gh.child.kill('SIGTERM');
    });
    assert.equal(await ended, grpc.status.OK);
    assert.deepEqual(statuses, ['SERVING', 'NOT_SERVING']);
    client.close();
    assert.equal((await gh.exited).code, 0);
  });
});

interface Sent {
  /** performance.now() when the request's bytes were handed to the OS, if they were. */
  sentAt?: number;
  outcome?: 'answered' | string;
}

/** One GET on a connection of its own, recording when it was sent and how it ended. */
function shortRequest(url: string): Promise<Sent> {
  const sent: Sent = {};
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      // Alice may not view the readme: Keto answers 403 with {allowed: false}.
      res.on('end', () => resolve({ ...sent, outcome: res.statusCode === 403 ? 'answered' : `status ${res.statusCode}` }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ ...sent, outcome: err.code ?? err.message }));
    });
    req.on('finish', () => (sent.sentAt = performance.now()));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ...sent, outcome: err.code ?? err.message }));
  });
}

describe('SIGTERM under load of short connections', () => {
  test('every request sent before the signal is answered, none reset; exit code 0', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-drain-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const failures: string[] = [];
    let sentBefore = 0;
    for (let run = 0; run < SIGTERM_RUNS; run++) {
      const gh = await startGatehouseProcess({
        config: { dsn: `sqlite://${join(dir, `run-${run}.sqlite`)}`, namespaces: [{ id: 0, name: 'files' }], log: { level: 'warn' } },
        args: ['--migrate'],
      });
      const url = `${gh.url.read}/relation-tuples/check?namespace=files&object=readme&relation=view&subject_id=alice`;
      let exited = false;
      void gh.exited.then(() => (exited = true));
      const results: Sent[] = [];
      const loops = Array.from({ length: 48 }, async () => {
        while (!exited) {
          const r = await shortRequest(url);
          results.push(r);
          if (r.outcome === 'ECONNREFUSED') await new Promise((resolve) => setTimeout(resolve, 5));
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const signalAt = performance.now();
      gh.child.kill('SIGTERM');
      const { code } = await gh.exited;
      await Promise.all(loops);
      await gh.stop();
      assert.equal(code, 0, gh.stderr());
      for (const r of results) {
        if (r.sentAt === undefined || r.sentAt >= signalAt) continue;
        sentBefore++;
        if (r.outcome !== 'answered') failures.push(`run ${run}: ${r.outcome}`);
      }
    }
    t.diagnostic(`${SIGTERM_RUNS} runs: ${sentBefore} requests sent before SIGTERM, ${failures.length} failed`);
    assert.ok(sentBefore > 0);
    assert.deepEqual(failures, [], `${failures.length} of ${sentBefore} requests sent before SIGTERM failed`);
  });
});
