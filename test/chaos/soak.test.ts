/**
 * Soak: one gatehouse process under steady load of checks, lookups and writes over keep-alive
 * connections for GATEHOUSE_SOAK_MS (`npm run chaos`: 30 minutes; `npm test`: a few seconds).
 * Every answer must be the expected one, the number of metric series does not grow (each check
 * of a new object adds none); once the load stops and its connections close, the
 * process holds no more open file descriptors than before it. Over a run of 10
 * minutes or more, the resident memory may grow by less than 1 MiB a minute (least-squares
 * slope of samples taken after the first tenth of the run). Latency percentiles per minute are
 * reported, not asserted (timings on a shared machine are no pass/fail criterion).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { test } from 'node:test';
import { startGatehouseProcess } from '../support/server.js';
import { knob, sleep } from './support/requests.js';

const SOAK_MS = knob('GATEHOUSE_SOAK_MS', 3_000);
const CLIENTS = 8;
const SAMPLE_MS = Math.max(250, Math.min(10_000, SOAK_MS / 40));
const MIB = 2 ** 20;

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

/** Requests sent again because the server closed the idle keep-alive connection they were sent on. */
let resent = 0;

/**
 * One request. A request that meets the close of the idle kept-alive connection it was sent
 * on (the server's keep-alive timeout racing the client's reuse) is sent again once, as
 * HTTP/1.1 lets a client do for an idempotent request; every request here is idempotent.
 */
function send(agent: http.Agent, url: string, method = 'GET', body?: string, retry = true): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!(retry && req.reusedSocket && err.code === 'ECONNRESET')) return reject(err);
      resent++;
      send(agent, url, method, body, false).then(resolve, reject);
    });
    req.end(body);
  });
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

test(`soak: ${CLIENTS} clients for ${SOAK_MS} ms, every answer as expected, descriptors back to their count, memory flat`, { timeout: SOAK_MS + 120_000 }, async (t) => {
  const gh = await startGatehouseProcess({ config: { namespaces: [{ id: 0, name: 'files' }], changelog: { retention: '1m' }, log: { level: 'warn' } } });
  t.after(() => gh.stop('SIGKILL'));
  const pid = gh.child.pid!;
  const baselineFds = fdsOf(pid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const unexpected: string[] = [];
  const minutes: number[][] = [];
  const samples: [number, number][] = [];
  let started = performance.now();
  let stop = false;

  // gatehouse's own series: the runtime's (nodejs_gc_duration_seconds{kind} …) gain a closed set of labels as the
  // kinds of garbage collection first occur.
  const series = async () => (await (await fetch(`${gh.url.metrics}/metrics/prometheus`)).text()).split('\n').filter((l) => l.startsWith('gatehouse_')).length;
  const client = async (c: number, once = false) => {
    for (let i = 0; once ? i < 10 : !stop; i++) {
      const block = Math.floor(i / 10);
      const tuple = new URLSearchParams({ namespace: 'files', object: `doc-${c}-${block % 50}`, relation: 'view', subject_id: `user-${block % 7}` });
      const step = i % 10;
      // A new object in every check of step 8: no metric series may follow them.
      const absent = new URLSearchParams({ namespace: 'files', object: `absent-${c}-${i}`, relation: 'view', subject_id: `user-${i}` });
      const answer =
        step === 8
          ? await send(agent, `${gh.url.read}/relation-tuples/check/openapi?${absent}`)
          : step === 0
          ? await send(agent, `${gh.url.write}/admin/relation-tuples`, 'PUT', JSON.stringify(Object.fromEntries(tuple)))
          : step === 5
            ? await send(agent, `${gh.url.write}/admin/relation-tuples?${tuple}`, 'DELETE')
            : step === 9
              ? await send(agent, `${gh.url.read}/relation-tuples/list-objects?namespace=files&relation=view&subject_id=user-${i % 7}`)
              : await send(agent, `${gh.url.read}/relation-tuples/check/openapi?${tuple}`);
      const expected = step === 0 ? 201 : step === 5 ? 204 : 200;
      if (answer.status !== expected) unexpected.push(`${step}: ${answer.status}`);
      (minutes[Math.floor((performance.now() - started) / 60_000)] ??= []).push(answer.ms);
    }
  };
  await client(CLIENTS, true);
  await series(); // the scrape's own series
  const seriesBefore = await series();
  started = performance.now();
  minutes.length = 0;
  const sampler = (async () => {
    while (!stop) {
      samples.push([(performance.now() - started) / 60_000, rssOf(pid)]);
      await sleep(SAMPLE_MS);
    }
  })();
  const clients = Array.from({ length: CLIENTS }, (_, c) => client(c).catch((err: Error) => void unexpected.push(err.message)));
  await sleep(SOAK_MS);
  stop = true;
  await Promise.all([...clients, sampler]);
  agent.destroy();
  const seriesAfter = await series();

  let fds = fdsOf(pid);
  for (let i = 0; i < 100 && fds > baselineFds; i++) {
    await sleep(50);
    fds = fdsOf(pid);
  }
  const count = minutes.reduce((s, m) => s + (m?.length ?? 0), 0);
  const p99 = (m: number[]) => [...m].sort((x, y) => x - y)[Math.floor(m.length * 0.99)]!.toFixed(1);
  const steady = samples.slice(Math.floor(samples.length / 10));
  const mibPerMinute = slope(steady) / MIB;
  t.diagnostic(`${count} requests (${resent} sent again after the server closed their idle keep-alive connection); p99 per minute (ms): ${minutes.filter(Boolean).map(p99).join(', ')}`);
  t.diagnostic(`RSS ${(samples[0]![1] / MIB).toFixed(1)} → ${(samples.at(-1)![1] / MIB).toFixed(1)} MiB, slope ${mibPerMinute.toFixed(2)} MiB/min; fds ${baselineFds} → ${fds}`);

  assert.deepEqual(unexpected.slice(0, 10), []);
  assert.ok(count > 0);
  assert.equal(seriesAfter, seriesBefore, 'metric series after the load, and before it (after one request of each kind)');
  assert.ok(fds <= baselineFds, `${fds} descriptors open, ${baselineFds} before the load`);
  if (SOAK_MS >= 600_000) assert.ok(mibPerMinute < 1, `RSS grows by ${mibPerMinute.toFixed(2)} MiB/min`);
  assert.equal(await gh.stop(), 0);
});
