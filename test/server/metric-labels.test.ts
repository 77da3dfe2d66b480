import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { http1Request } from './clients.js';

/** Metric label values come from closed sets, whatever methods and paths clients send. */

const seriesOf = (text: string) => text.split('\n').filter((line) => /^gatehouse_(http|grpc)_request/.test(line));

describe('bounded metric labels', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { log: { level: 'warn' } } });
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });
  const metrics = async () => (await fetch(`${gh.url.metrics}/metrics/prometheus`)).text();

  /** Sends one request per method over one HTTP/2 connection, 50 at a time; resolves with the statuses seen. */
  async function h2Methods(methods: string[], path: string | ((i: number) => string), headers: Record<string, string> = {}): Promise<Set<number>> {
    const session = http2.connect(gh.url.read);
    session.on('error', () => {});
    const statuses = new Set<number>();
    try {
      for (let i = 0; i < methods.length; i += 50) {
        await Promise.all(
          methods.slice(i, i + 50).map(
            (method, j) =>
              new Promise<void>((resolve, reject) => {
                const target = typeof path === 'string' ? path : path(i + j);
                const stream = session.request({ ':method': method, ':path': target, ...headers }, { endStream: true });
                stream.on('response', (headers) => statuses.add(Number(headers[':status'])));
                stream.on('error', reject);
                stream.on('close', () => resolve());
                stream.resume();
              }),
          ),
        );
      }
    } finally {
      session.close();
    }
    return statuses;
  }

  test('2,000 distinct HTTP/2 methods on known and unknown paths add no series', async () => {
    // The first unknown method makes the series its answers belong to.
    assert.deepEqual(await h2Methods(['FIRSTMETHOD'], '/health/alive'), new Set([405]));
    assert.deepEqual(await h2Methods(['FIRSTMETHOD'], '/no/such/path'), new Set([404]));
    await metrics(); // the metrics route's own series
    const before = seriesOf(await metrics());
    const methods = Array.from({ length: 2000 }, (_, i) => `M${i.toString(36).toUpperCase()}X`);
    assert.deepEqual(await h2Methods(methods, '/health/alive'), new Set([405]));
    assert.deepEqual(await h2Methods(methods, `/no/such/path`), new Set([404]));
    const text = await metrics();
    const after = seriesOf(text);
    // The same series, only their values moved.
    assert.deepEqual(after.map((l) => l.replace(/ \S+$/, '')), before.map((l) => l.replace(/ \S+$/, '')));
    assert.match(text, /^gatehouse_http_requests_total\{route="unmatched",method="OTHER",status="405"\} 2001$/m);
    assert.match(text, /^gatehouse_http_requests_total\{route="unmatched",method="OTHER",status="404"\} 2001$/m);
    assert.doesNotMatch(text, /FIRSTMETHOD|M1X/);
  });

  test('2,000 distinct unknown gRPC methods, sent with any HTTP method, add no series', async () => {
    const grpc = { 'content-type': 'application/grpc', te: 'trailers' };
    await h2Methods(['POST'], '/first.Service/Method', grpc);
    await metrics();
    const before = seriesOf(await metrics());
    const methods = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 'POST' : `G${i}X`));
    assert.deepEqual(await h2Methods(methods, (i) => `/no.such.Service${i}/Method${i}`, grpc), new Set([200]));
    const text = await metrics();
    assert.deepEqual(seriesOf(text).map((l) => l.replace(/ \S+$/, '')), before.map((l) => l.replace(/ \S+$/, '')));
    assert.match(text, /^gatehouse_grpc_requests_total\{method="unmatched",code="12"\} 2001$/m);
  });

  test('HTTP/1.1 methods beyond the standard ones fold into OTHER too', async () => {
    for (const method of ['PROPFIND', 'MKCOL', 'PURGE', 'LINK']) {
      const res = await http1Request(`${gh.url.read}/no/such/path`, { method });
      assert.equal(res.status, 404);
    }
    const text = await metrics();
    assert.doesNotMatch(text, /method="(PROPFIND|MKCOL|PURGE|LINK)"/);
    assert.match(text, /^gatehouse_http_requests_total\{route="unmatched",method="OTHER",status="404"\} 2005$/m);
  });
});
