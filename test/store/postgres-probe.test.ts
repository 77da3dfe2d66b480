import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { GatehouseError } from '../../src/errors.js';
import { LiveIndex } from '../../src/index/live-index.js';
import { DEFAULT_CONSISTENCY } from '../../src/reader.js';
import { openSqlDriver, openStore } from '../../src/store/open.js';
import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import type { RelationTuple } from '../../src/tuple.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { postgresDatabase, type TestDatabase } from './databases.js';

/**
 * The head revision read of the default consistency, on PostgreSQL's connection outside the
 * pool: terminated by the server, it fails the waiting reads as unavailable or is answered
 * on a new connection, never hangs; past the statement timeout it fails as unavailable.
 */

const adminDsn = process.env['TEST_POSTGRES_DSN'];
const skip = adminDsn === undefined || adminDsn === '' ? 'TEST_POSTGRES_DSN is not set' : false;
const HEAD_READ = 'SELECT revision FROM gatehouse_head WHERE nid = $1';
const STATEMENT_TIMEOUT_MS = 300;
const TRIALS = 10;

describe('the head revision probe on PostgreSQL', { skip, timeout: 60_000 }, () => {
  let db: TestDatabase;
  let store: RelationTupleStore;
  let live: LiveIndex;
  let admin: pg.Client;

  /** The backends that run the head read, which only the probe connection runs. */
  const probeBackends = async () =>
    (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1', [HEAD_READ])).rows.map((r) => r.pid);

  /** What a read in the default consistency gets: the index, or the error it failed with. */
  const defaultRead = async (): Promise<'index' | GatehouseError> => {
    try {
      await live.reads.open(DEFAULT_CONSISTENCY);
      return 'index';
    } catch (error) {
      if (error instanceof GatehouseError) return error;
      throw error;
    }
  };

  before(async () => {
    db = await postgresDatabase(adminDsn!);
    store = await openStore(db.dsn, { statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    await store.migrations.up();
    await store.transact([{ namespace: 'files', object: 'a', relation: 'view', subject: { id: 'u' } }], []);
    live = new LiveIndex({ store, memoryBudgetBytes: 2 ** 24, maxStalenessMs: 0 });
    await live.start();
    admin = new pg.Client({ connectionString: db.dsn });
    await admin.connect();
  });

  after(async () => {
    await admin?.end();
    await live?.close();
    await store?.close();
    await db?.drop();
  });

  it('runs on one connection of its own, outside the pool', async () => {
    assert.equal(await store.headRevision(), 1);
    assert.equal((await probeBackends()).length, 1);
  });

  it('terminated by the server: the next read fails as unavailable or succeeds on a new connection; the one after succeeds', async (t) => {
    const outcomes = { answered: 0, unavailable: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      await defaultRead();
      const [pid] = await probeBackends();
      assert.notEqual(pid, undefined);
      assert.deepEqual((await admin.query('SELECT pg_terminate_backend($1) AS ok', [pid])).rows, [{ ok: true }]);
      const next = await defaultRead();
      if (next === 'index') outcomes.answered++;
      else {
        assert.deepEqual([next.kind, next.message], ['unavailable', 'The database is unavailable']);
        outcomes.unavailable++;
      }
      assert.equal(await defaultRead(), 'index');
      assert.notDeepEqual(await probeBackends(), [pid]);
    }
    t.diagnostic(`the read right after the termination: ${outcomes.answered} answered, ${outcomes.unavailable} unavailable`);
  });

  it('still sees a write made after the probe connection was terminated', async () => {
    const [pid] = await probeBackends();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const revision = await live.store.transact([{ namespace: 'files', object: 'b', relation: 'view', subject: { id: 'u' } }], []);
    let read = await defaultRead();
    if (read !== 'index') read = await defaultRead();
    assert.equal(read, 'index');
    assert.ok(live.follower.applied >= revision);
    assert.equal(await store.headRevision(), revision);
  });

  it('past the statement timeout (the head row locked): unavailable, and answered once the lock is gone', async () => {
    const locker = new pg.Client({ connectionString: db.dsn });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE gatehouse_head IN ACCESS EXCLUSIVE MODE');
      const blocked = await defaultRead();
      assert.ok(blocked instanceof GatehouseError);
      assert.deepEqual([blocked.kind, blocked.message], ['unavailable', 'The database did not answer in time']);
      // Callers of the head read asking together wait behind one statement at most, not behind each other.
      const together = await Promise.all(Array.from({ length: 20 }, () => store.headRevision().then(String, (error: GatehouseError) => error.message)));
      assert.deepEqual(together, Array(20).fill('The database did not answer in time'));
      await locker.query('ROLLBACK');
      assert.equal(await defaultRead(), 'index');
    } finally {
      await locker.end();
    }
  });
});

describe('statements prepared on PostgreSQL', { skip, timeout: 60_000 }, () => {
  it('prepares the fixed statements of writes and of the changelog read once on a pool connection, and no other', async () => {
    // Not the deletes: their generic plan, made without the lengths of the arrays they join, reads every row (sql-store.ts).
    const db = await postgresDatabase(adminDsn!);
    // One pool connection: every statement below runs on the backend whose prepared statements it reads.
    const { driver, schema } = await openSqlDriver(`${db.dsn}?max_conns=1`);
    const store = new SqlRelationTupleStore(driver, new SqlMigrator(driver, schema), []);
    try {
      await store.migrations.up();
      const tuples: RelationTuple[] = [
        { namespace: 'files', object: 'a', relation: 'view', subject: { id: 'u' } },
        { namespace: 'files', object: 'a', relation: 'view', subject: { set: { namespace: 'groups', object: 'g', relation: 'member' } } },
      ];
      // Six times: PostgreSQL turns to a statement's generic plan from its sixth run on.
      for (let i = 0; i < 6; i++) {
        await store.transact(tuples, []);
        await store.transact([], tuples);
      }
      assert.equal((await store.changesSince(0, 100)).length, 12);
      await store.list({ namespace: 'files' });
      const prepared = await driver.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      assert.deepEqual(prepared.map((p) => p.statement.replace(/\s+/g, ' ').slice(0, 48)).sort(), [
        'INSERT INTO gatehouse_changelog (nid, revision, ',
        'INSERT INTO keto_relation_tuples (shard_id, nid,',
        'INSERT INTO keto_uuid_mappings (id, string_repre',
        "SELECT c.revision, c.changes FROM ( SELECT revis",
        "SELECT set_config('gatehouse.writer', 'on', true",
        'UPDATE gatehouse_head SET revision = revision + ',
      ]);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
