import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

/** What a request cut short by its client is counted and logged as: the client's doing, never a 500. */

const PATH = '/admin/relation-tuples';
const series = (status: number) => new RegExp(`^gatehouse_http_requests_total\\{route="${PATH}",method="PUT",status="${status}"\\} (\\d+)$`, 'm');

describe('request bodies cut off or malformed by the client', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'files' }], log: { level: 'debug' } } });
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });

  const metrics = async () => (await fetch(`${gh.url.metrics}/metrics/prometheus`)).text();
  /** Polls the metrics until the PUT series of `status` reaches `count`. */
  const counted = async (status: number, count: number) => {
    let text = '';
    for (let i = 0; i < 400; i++) {
      text = await metrics();
      if (Number(series(status).exec(text)?.[1] ?? 0) >= count) return text;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.fail(`no ${count} PUT ${status} counted:\n${text}`);
  };
  const rawExchange = async (bytes: string, then: 'destroy' | 'read') => {
    const socket = net.connect(gh.ports.write, '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', () => {});
    socket.write(bytes);
    if (then === 'destroy') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      return '';
    }
    await once(socket, 'close');
    return Buffer.concat(received).toString('latin1');
  };
  const errorLines = () => gh.logs.filter((l) => ['error', 'fatal'].includes((l as { level?: string }).level ?? ''));

  test('HTTP/1.1: a body cut off by the client is counted 499 and logged at debug', async () => {
    await rawExchange(`PUT ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"namespace":`, 'destroy');
    const text = await counted(499, 1);
    assert.doesNotMatch(text, series(500));
    const access = gh.logs.filter((l) => (l as { msg?: string; method?: string }).msg === 'request handled' && (l as { method?: string }).method === 'PUT');
    assert.deepEqual(access.map((l) => (l as { status: number }).status), [499]);
    assert.ok(gh.logs.some((l) => (l as { level?: string; msg?: string }).level === 'debug' && (l as { msg?: string }).msg === 'the client ended the request before its body was complete'));
    assert.deepEqual(errorLines(), []);
  });

  test('HTTP/1.1: a malformed chunk is answered 400 and counted 400', async () => {
    const answer = await rawExchange(`PUT ${PATH} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"nam\r\nzz\r\nabc\r\n0\r\n\r\n`, 'read');
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const text = await counted(400, 1);
    assert.doesNotMatch(text, series(500));
    assert.deepEqual(errorLines(), []);
  });

  test('HTTP/2: a stream reset by the client mid-body is counted 499', async () => {
    const session = http2.connect(gh.url.write);
    session.on('error', () => {});
    const stream = session.request({ ':method': 'PUT', ':path': PATH, 'content-type': 'application/json' });
    stream.on('error', () => {});
    stream.write('{"namespace":');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // RST_STREAM without END_STREAM (close(code) would end the body first: a complete, malformed body).
    stream.destroy();
    await once(stream, 'close');
    session.close();
    const text = await counted(499, 2);
    assert.doesNotMatch(text, series(500));
    assert.deepEqual(errorLines(), []);
  });
});
