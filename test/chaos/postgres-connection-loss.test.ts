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
      config: { dsn: `${dsn}?application_name=${APP}`, namespaces: [{ id: 0, name: 'files' }] },
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

  test('the server stopped with -m immediate under write load: every write 204 or 503, then recovery', async () => {
    await admin.end();
    const writers = 8;
    const answers: (Answer | Error)[] = [];
    let stop = false;
    const loops = Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const a = await patch(patchBody(`load-${w}-${i}`, 100)).catch((e: Error) => e);
        answers.push(a);
        if (a instanceof Error) return;
      }
    });
    try {
      await sleep(300);
      await server.stopImmediately();
      const stoppedAt = answers.length;
      await sleep(500);
      alive();
      assert.equal((await request(`${gh.url.read}/health/alive`)).status, 200);
      assert.equal((await request(`${gh.url.read}/health/ready`)).status, 503);
      assert.ok(answers.length > stoppedAt, 'no write was answered while the server was down');
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    for (const a of answers) {
      assert.ok(!(a instanceof Error), `a write failed without an answer: ${a instanceof Error ? a.message : ''}`);
      if (a.status !== 204) assertUnavailable(a, secrets);
    }
    alive();

    await server.startServer();
    admin = new pg.Client({ connectionString: server.dsn('faults') });
    admin.on('error', () => undefined);
    await admin.connect();
    let recovered: Answer | undefined;
    for (let i = 0; i < 100; i++) {
      recovered = await patch(patchBody('recovered', 3));
      if (recovered.status === 204) break;
      await sleep(50);
    }
    assert.equal(recovered?.status, 204);
    assert.equal((await request(`${gh.url.read}/health/ready`)).status, 200);
    alive();
  });
});
