import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { FaultProxy } from './support/fault-proxy.js';
import { assertUnavailable, patchBody, request, sleep, type Answer } from './support/requests.js';
import { ThrowawayPostgres, throwawayPostgresUnavailable } from './support/throwaway-postgres.js';

/**
 * A PostgreSQL that stops answering without closing anything: blackholed by the fault
 * proxy, or every process of the server stopped with SIGSTOP. No request waits for the
 * stall to end: each is answered 503 within its bound (the freshness timeout with the
 * index on, the statement or acquire timeout with it off) plus slack for a loaded machine;
 * the pools recover once the database answers again, and SIGTERM during a stall exits.
 */

const STATEMENT_TIMEOUT_MS = 1000;
const ACQUIRE_TIMEOUT_MS = 1000;
const FRESHNESS_TIMEOUT_MS = 500;
/** pg gives up on a silent server this much after the statement timeout. */
const CLIENT_SLACK_MS = 500;
/** Scheduling slack on a shared, loaded machine: this proves "not hung", not latency. */
const SLACK_MS = 1500;
const GRACE_MS = 1000;
const skip = throwawayPostgresUnavailable();

describe('PostgreSQL stalls', { skip }, () => {
  let server: ThrowawayPostgres;
  let proxy: FaultProxy;
  /** Index on, through the proxy. */
  let indexed: GatehouseProcess;
  /** Index off: every check reads the database, directly. */
  let direct: GatehouseProcess;
  let secrets: string[];

  const check = (gh: GatehouseProcess, object = 'doc-1') =>
    request(`${gh.url.read}/relation-tuples/check?namespace=files&object=${object}&relation=view&subject_id=user-1`, { timeoutMs: 10_000 });
  const patch = (gh: GatehouseProcess, tag: string) =>
    request(`${gh.url.write}/admin/relation-tuples`, { method: 'PATCH', body: patchBody(tag, 10), timeoutMs: 10_000 });

  /** Every answer 503 (Keto's envelope, nothing about the database) within `boundMs` + slack. */
  const allUnavailableWithin = async (answers: Promise<Answer>[], boundMs: number) => {
    for (const answer of await Promise.all(answers)) {
      assertUnavailable(answer, secrets);
      assert.ok(answer.ms <= boundMs + SLACK_MS, `answered after ${Math.round(answer.ms)} ms, bound ${boundMs} ms`);
    }
  };

  /** The first 2xx of `send` within 5 s. */
  const recovers = async (send: () => Promise<Answer>) => {
    const deadline = performance.now() + 5000;
    let last: Answer | undefined;
    while (performance.now() < deadline) {
      last = await send().catch(() => undefined);
      if (last !== undefined && last.status < 300) return;
      await sleep(100);
    }
    assert.fail(`no success within 5 s after the stall ended (last: ${last?.status} ${last?.body})`);
  };

  before(async () => {
    server = await ThrowawayPostgres.start();
    const dsn = await server.createDatabase('stalls');
    proxy = await FaultProxy.start(server.port);
    secrets = [`127.0.0.1:${server.port}`, `127.0.0.1:${proxy.port}`, 'postgres://', 'stalls'];
    const config = {
      namespaces: [{ id: 0, name: 'files' }],
      database: { statement_timeout: `${STATEMENT_TIMEOUT_MS}ms`, acquire_timeout: `${ACQUIRE_TIMEOUT_MS}ms` },
      serve: { shutdown_grace_period: `${GRACE_MS}ms` },
    };
    indexed = await startGatehouseProcess({
      config: { ...config, dsn: server.dsn('stalls', proxy.port), index: { freshness_timeout: `${FRESHNESS_TIMEOUT_MS}ms` } },
      args: ['--migrate'],
    });
    direct = await startGatehouseProcess({ config: { ...config, dsn, index: { enabled: false } } });
    assert.equal((await patch(direct, 'doc')).status, 204);
    // The index is warm once it answers the write it did not make.
    await recovers(() => check(indexed).then((a) => ({ ...a, status: a.status === 200 ? 200 : 500 })));
  });

  after(async () => {
    proxy?.heal();
    try {
      server?.resume();
    } catch {
      // not running
    }
    await indexed?.stop('SIGKILL');
    await direct?.stop('SIGKILL');
    await proxy?.close();
    await server?.destroy();
  });

  test('blackholed: checks with the index answer 503 within the freshness timeout, writes within the statement timeout', async () => {
    proxy.blackhole();
    try {
      await allUnavailableWithin(Array.from({ length: 20 }, () => check(indexed)), FRESHNESS_TIMEOUT_MS);
      // Later requests queue behind no stuck read either.
      await allUnavailableWithin(Array.from({ length: 5 }, () => check(indexed)), FRESHNESS_TIMEOUT_MS);
      await allUnavailableWithin([patch(indexed, 'stalled')], STATEMENT_TIMEOUT_MS + CLIENT_SLACK_MS + ACQUIRE_TIMEOUT_MS);
    } finally {
      proxy.heal();
    }
    await recovers(() => check(indexed));
    await recovers(() => patch(indexed, 'healed'));
  });

  test('SIGSTOP: checks reading the database answer 503 within the statement timeout, then all recovers after SIGCONT', async () => {
    server.pause();
    try {
      const bound = STATEMENT_TIMEOUT_MS + CLIENT_SLACK_MS + ACQUIRE_TIMEOUT_MS;
      await allUnavailableWithin(
        [...Array.from({ length: 12 }, (_, i) => check(direct, `doc-${i}`)), patch(direct, 'paused'), ...Array.from({ length: 5 }, () => check(indexed))],
        bound,
      );
      const alive = await request(`${direct.url.read}/health/alive`, { timeoutMs: 2000 });
      assert.equal(alive.status, 200);
      const ready = await request(`${direct.url.read}/health/ready`, { timeoutMs: 10_000 });
      assert.equal(ready.status, 503);
      assert.ok(ready.ms <= bound + SLACK_MS, `readiness answered after ${Math.round(ready.ms)} ms`);
    } finally {
      server.resume();
    }
    await recovers(() => check(direct));
    await recovers(() => patch(direct, 'resumed'));
    await recovers(() => check(indexed));
  });

  test('SIGTERM while the database hangs: requests answered 503, the process exits 0 soon after the grace period', async () => {
    // No statement timeout here: queries stuck past the grace period, and the index's LISTEN connection.
    const stuck = await startGatehouseProcess({
      config: {
        dsn: server.dsn('stalls'),
        namespaces: [{ id: 0, name: 'files' }],
        database: { statement_timeout: '0s' },
        serve: { shutdown_grace_period: `${GRACE_MS}ms` },
      },
    });
    try {
      await recovers(() => check(stuck));
      server.pause();
      const held = [check(stuck), check(stuck, 'doc-2'), patch(stuck, 'held')].map((a) => a.catch((e: Error) => e));
      await sleep(200);
      const signalled = performance.now();
      stuck.child.kill('SIGTERM');
      // The grace period, the flush after it, the bound on closing the pools, and slack.
      const boundMs = GRACE_MS + 500 + 1000 + SLACK_MS;
      const exit = await Promise.race([stuck.exited, sleep(boundMs + 2000).then(() => undefined)]);
      const tookMs = performance.now() - signalled;
      assert.ok(exit !== undefined, `still running ${Math.round(tookMs)} ms after SIGTERM`);
      assert.equal(exit.code, 0, stuck.stderr());
      assert.ok(tookMs <= boundMs, `exited ${Math.round(tookMs)} ms after SIGTERM`);
      for (const answer of await Promise.all(held)) {
        assert.ok(!(answer instanceof Error), String(answer));
        assertUnavailable(answer, secrets);
      }
    } finally {
      server.resume();
      await stuck.stop('SIGKILL');
    }
  });
});
