/**
 * `/health/alive` latency while eight worst-case checks are in flight (the reliability plan's
 * last row): a 100 → 100 → 10 fan-out of subject sets (110,100 tuples) checked for an absent
 * subject at default limits, eight at a time over REST, for `seconds` (default 20), on one
 * gatehouse process with the in-memory index. A probe asks `/health/alive` every 10 ms on a
 * connection of its own. Target: p99 < 50 ms.
 *
 *   node dist/bench/health-under-load.js [seconds]
 */
import http from 'node:http';
import { startGatehouseProcess } from '../test/support/server.js';
import { printFigure, quantile } from './figure.js';

const SECONDS = Number(process.argv[2] ?? 20);
const PART = 'health under load';

function get(agent: http.Agent, url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started }));
      })
      .on('error', reject);
  });
}

async function patch(url: string, deltas: object[]): Promise<void> {
  const res = await fetch(url, { method: 'PATCH', body: JSON.stringify(deltas), headers: { 'content-type': 'application/json' } });
  if (res.status !== 204) throw new Error(`PATCH answered ${res.status}: ${await res.text()}`);
}

const gh = await startGatehouseProcess({
  config: { namespaces: [{ id: 0, name: 'Doc' }, { id: 1, name: 'Group' }, { id: 2, name: 'User' }], log: { level: 'error' } },
  timeoutMs: 60_000,
});
try {
  const insert = (namespace: string, object: string, relation: string, set: string) => ({
    action: 'insert',
    relation_tuple: { namespace, object, relation, subject_set: { namespace: 'Group', object: set, relation: 'members' } },
  });
  let batch: object[] = [];
  const flush = async () => {
    if (batch.length > 0) await patch(`${gh.url.write}/admin/relation-tuples`, batch);
    batch = [];
  };
  for (let i = 0; i < 100; i++) {
    batch.push(insert('Doc', 'd', 'viewers', `g${i}`));
    for (let j = 0; j < 100; j++) {
      batch.push(insert('Group', `g${i}`, 'members', `h${i}.${j}`));
      for (let k = 0; k < 10; k++) batch.push(insert('Group', `h${i}.${j}`, 'members', `k${i}.${j}.${k}`));
      if (batch.length >= 5_000) await flush();
    }
  }
  await flush();

  const checkUrl = `${gh.url.read}/relation-tuples/check/openapi?namespace=Doc&object=d&relation=viewers&subject_id=absent`;
  const checkAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const checks: number[] = [];
  const alive: number[] = [];
  let failures = 0;
  let stop = false;
  const until = performance.now() + SECONDS * 1000;
  const loops = Array.from({ length: 8 }, async () => {
    while (!stop) {
      const r = await get(checkAgent, checkUrl);
      if (r.status !== 200) failures++;
      checks.push(r.ms);
    }
  });
  const probe = (async () => {
    while (performance.now() < until) {
      const r = await get(probeAgent, `${gh.url.read}/health/alive`);
      if (r.status !== 200) failures++;
      alive.push(r.ms);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stop = true;
  })();
  await Promise.all([...loops, probe]);
  checkAgent.destroy();
  probeAgent.destroy();

  alive.sort((a, b) => a - b);
  checks.sort((a, b) => a - b);
  const p99 = quantile(alive, 0.99);
  printFigure({ part: PART, name: '/health/alive p50 with 8 worst-case checks in flight', value: quantile(alive, 0.5), unit: 'ms' });
  printFigure({ part: PART, name: '/health/alive p99 with 8 worst-case checks in flight', value: p99, unit: 'ms', target: '< 50 ms', met: p99 < 50 });
  printFigure({ part: PART, name: '/health/alive max', value: alive.at(-1) ?? NaN, unit: 'ms' });
  printFigure({ part: PART, name: 'worst-case check p50 (8 in flight)', value: quantile(checks, 0.5), unit: 'ms' });
  printFigure({ part: PART, name: 'worst-case checks answered', value: checks.length, unit: 'requests' });
  printFigure({ part: PART, name: 'probes answered', value: alive.length, unit: 'requests' });
  printFigure({ part: PART, name: 'answers other than 200', value: failures, unit: 'requests', target: '0', met: failures === 0 });
} finally {
  await gh.stop();
}
