import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { assertUnavailable, knob, patchBody, request, sleep, type Answer } from './support/requests.js';
import { ThrowawayPostgres, throwawayPostgresUnavailable } from './support/throwaway-postgres.js';

/**
 * PostgreSQL drops gatehouse's connections while they are in use: backends terminated in
 * the middle of 1000-delta PATCH transactions, and the whole server stopped with
 * `pg_ctl stop -m immediate` under write load. Each affected request is answered 503 in
 * Keto's envelope, every PATCH is all or nothing, and the process stays up and recovers.
 */

const APP = 'gatehouse_under_test';
const TRIALS = knob('GATEHOUSE_CHAOS_TRIALS', 12);
/** How long the database stays down under load (npm run chaos: 10 s). */
const OUTAGE_MS = knob('GATEHOUSE_CHAOS_OUTAGE_MS', 1500);
const MAX_CONNS = 5;
const ACQUIRE_TIMEOUT_MS = 2000;
/** Scheduling slack on a shared, loaded machine: this proves "not hung", not latency. */
const SLACK_MS = 1000;
/** After the first success, answers must all succeed from this much later on. */
const RECOVERED_WINDOW_MS = 1000;
const skip = throwawayPostgresUnavailable();

describe('PostgreSQL drops connections in use', { skip }, () => {
  let server: ThrowawayPostgres;
  let gh: GatehouseProcess;
  let admin: pg.Client;
  let secrets: string[];

  const count = async () =>
    Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM keto_relation_tuples')).rows[0]!.n);
  const patch = (body: string) => request(`${gh.url.write}/admin/relation-tuples`, { method: 'PATCH', body, timeoutMs: 20_000 });
  const alive = () => assert.equal(gh.child.exitCode, null, `gatehouse exited:\n${gh.stderr()}`);

  before(async () => {
    server = await ThrowawayPostgres.start();
    const dsn = await server.createDatabase('faults');
    secrets = [`127.0.0.1:${server.port}`, String(server.port), 'postgres://', 'faults'];
    gh = await startGatehouseProcess({
      config: {
        dsn: `${dsn}?application_name=${APP}`,
        namespaces: [{ id: 0, name: 'files' }],
        database: { max_conns: MAX_CONNS, acquire_timeout: `${ACQUIRE_TIMEOUT_MS}ms` },
      },
      args: ['--migrate'],
    });
    admin = new pg.Client({ connectionString: dsn });
    admin.on('error', () => undefined);
    await admin.connect();
  });

  after(async () => {
    await admin?.end().catch(() => undefined);
    await gh?.stop('SIGKILL');
    await server?.destroy();
  });

  test('a backend terminated inside a 1000-delta PATCH: 503, nothing or everything written, the process stays up', async () => {
    let interrupted = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const before = await count();
      const answer = patch(patchBody(`t${trial}`, 1000));
      let settled = false;
      void answer.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Wait a random moment, then terminate the backend that holds the PATCH's transaction.
      await sleep(Math.random() * 20);
      let terminated = false;
      while (!settled && !terminated) {
        const { rows } = await admin.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
           WHERE application_name = $1 AND (state LIKE 'idle in transaction%' OR backend_xid IS NOT NULL)`,
          [APP],
        );
        terminated = rows.some((r) => r.ok);
      }
      const got: Answer = await answer;
      alive();
      const after = await count();
      assert.ok(after === before || after === before + 1000, `trial ${trial}: ${after - before} of 1000 tuples written`);
      if (got.status === 204) assert.equal(after, before + 1000, `trial ${trial}: 204 for a write that is not there`);
      else {
        assertUnavailable(got, secrets);
        interrupted++;
      }
    }
    assert.ok(interrupted > 0, 'no PATCH was interrupted: the test did not test anything');
    // The pool replaced the dropped connections.
    assert.equal((await patch(patchBody('after', 10))).status, 204);
  });

  test('every backend of the process terminated: the next requests succeed, LISTEN comes back', async () => {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APP]);
    await sleep(100);
    alive();
    assert.equal((await patch(patchBody('again', 5))).status, 204);
    const check = await request(`${gh.url.read}/relation-tuples/check?namespace=files&object=again-3&relation=view&subject_id=user-3`);
    assert.deepEqual([check.status, JSON.parse(check.body)], [200, { allowed: true }]);
    let listening = false;
    for (let i = 0; i < 100 && !listening; i++) {
      const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query ~ '^(LISTEN|NOTIFY) gatehouse_changelog'", [APP]);
      listening = rows.length > 0;
      if (!listening) await sleep(50);
    }
    assert.ok(listening, 'the LISTEN connection did not come back');
  });

  test('the server stopped with -m immediate under 50 connections of load: 503 in time, ready 503, alive 200; then recovery', async (t) => {
    assert.equal((await patch(patchBody('outage', 5))).status, 204);
    await admin.end();
    interface Sent {
      at: number;
      answer: Answer | Error;
    }
    const answers: Sent[] = [];
    let stop = false;
    const loop = async (send: (i: number) => Promise<Answer>) => {
      for (let i = 0; !stop; i++) {
        const at = performance.now();
        const answer = await send(i).catch((e: Error) => e);
        answers.push({ at, answer });
        if (answer instanceof Error) return;
      }
    };
    const check = () => request(`${gh.url.read}/relation-tuples/check?namespace=files&object=outage-3&relation=view&subject_id=user-3`, { timeoutMs: 20_000 });
    const loops = [
      ...Array.from({ length: 8 }, (_, w) => loop((i) => patch(patchBody(`load-${w}-${i}`, 100)))),
      ...Array.from({ length: 42 }, () => loop(check)),
    ];
    let killedAt = 0;
    let restartingAt = 0;
    let restartedAt = 0;
    let recoveredAt = Infinity;
    const connections: number[] = [];
    try {
      await sleep(300);
      await server.stopImmediately();
      killedAt = performance.now();
      // Readiness turns 503 within a second.
      let notReadyAfter = Infinity;
      while (performance.now() - killedAt < 1000 + SLACK_MS) {
        if ((await request(`${gh.url.read}/health/ready`)).status === 503) {
          notReadyAfter = performance.now() - killedAt;
          break;
        }
        await sleep(50);
      }
      assert.ok(notReadyAfter <= 1000 + SLACK_MS, 'readiness stayed 200 while the database was down');
      assert.equal((await request(`${gh.url.read}/health/alive`)).status, 200);
      await sleep(OUTAGE_MS);
      alive();

      restartingAt = performance.now();
      await server.startServer();
      restartedAt = performance.now();
      admin = new pg.Client({ connectionString: server.dsn('faults') });
      admin.on('error', () => undefined);
      await admin.connect();
      // Recovery: the pools reconnect by themselves; server-side connections never exceed the pool, LISTEN and the head probe.
      const until = performance.now() + 5000;
      while (performance.now() < until) {
        const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [APP]);
        connections.push(Number(rows[0]!.n));
        const ok = answers.find((a) => a.at > restartedAt && !(a.answer instanceof Error) && a.answer.status < 500);
        if (ok !== undefined && recoveredAt === Infinity) recoveredAt = ok.at;
        if (performance.now() > recoveredAt + RECOVERED_WINDOW_MS + 500) break;
        await sleep(100);
      }
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    alive();
    assert.ok(recoveredAt - restartedAt <= 5000, 'no request succeeded within 5 s of the restart');
    assert.ok(Math.max(...connections) <= MAX_CONNS + 2, `connections sampled: ${connections.join(' ')}`);
    const down = answers.filter((a) => a.at > killedAt && a.at < restartingAt);
    assert.ok(down.length > 50, `only ${down.length} requests while the database was down`);
    for (const { at, answer } of answers) {
      assert.ok(!(answer instanceof Error), `a request failed without an answer: ${answer instanceof Error ? answer.message : ''}`);
      assert.ok([200, 204, 503].includes(answer.status), `status ${answer.status}: ${answer.body}`);
      if (answer.status === 503) {
        assertUnavailable(answer, secrets);
        assert.ok(answer.ms <= ACQUIRE_TIMEOUT_MS + SLACK_MS, `a 503 took ${Math.round(answer.ms)} ms`);
      }
      // Nothing is answered from memory while the database is down.
      if (at > killedAt + 100 && at + answer.ms < restartingAt) assert.equal(answer.status, 503, 'answered while the database was down');
      if (at > recoveredAt + RECOVERED_WINDOW_MS) assert.notEqual(answer.status, 503, 'failed after recovery');
    }
    const slowest503 = Math.max(0, ...answers.map((a) => (a.answer instanceof Error || a.answer.status !== 503 ? 0 : a.answer.ms)));
    t.diagnostic(
      `${answers.length} requests, ${down.length} while down, slowest 503 ${Math.round(slowest503)} ms, ` +
        `first success ${Math.round(recoveredAt - restartedAt)} ms after the restart, most connections ${Math.max(...connections)}`,
    );
    assert.ok(!/Unhandled|unhandled/.test(gh.stderr()), gh.stderr());
    assert.equal((await request(`${gh.url.read}/health/ready`)).status, 200);
  });
});
