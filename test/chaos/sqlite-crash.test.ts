import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { GatehouseError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { migrate, sqliteFileDatabase, type TestDatabase } from '../store/databases.js';
import { knob, sleep } from './support/requests.js';

/**
 * SQLite in WAL mode: a writer killed with SIGKILL in the middle of 1000-tuple
 * transactions leaves, once the file is opened again, only whole transactions (tuples =
 * 1000 × the head revision) and a file that passes SQLite's integrity check. And a write
 * waiting for another process's lock fails as unavailable after the busy timeout.
 */

const TRIALS = knob('GATEHOUSE_CHAOS_TRIALS', 6);
const WRITER = fileURLToPath(new URL('./support/sqlite-writer.js', import.meta.url));

/** Starts the writer, waits until it writes, kills it with SIGKILL after `afterMs`. */
async function killWriterAfter(dsn: string, tag: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [WRITER, dsn, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', () => reject(new Error(`the writer exited before writing:\n${stderr}`)));
  });
  await sleep(afterMs);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', stderr);
}

describe('SQLite killed mid-write', () => {
  let database: TestDatabase;

  before(async () => {
    database = sqliteFileDatabase();
    await migrate(database.dsn);
  });

  after(() => database?.drop());

  test('SIGKILL at random points of 1000-tuple writes: reopened, every transaction is all or nothing', async () => {
    let lastRevision = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      await killWriterAfter(database.dsn, `t${trial}`, Math.random() * 400);
      const store = await openStore(database.dsn);
      try {
        const revision = await store.headRevision();
        const tuples = (await store.list({ namespace: 'files' }, { size: 1_000_000 })).tuples.length;
        assert.equal(tuples, 1000 * revision, `trial ${trial}: ${tuples} tuples at revision ${revision}`);
        assert.ok(revision >= lastRevision);
        lastRevision = revision;
      } finally {
        await store.close();
      }
      const file = new Database(database.dsn.slice('sqlite://'.length).split('?')[0]!, { readonly: true });
      try {
        assert.equal(file.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        file.close();
      }
    }
    assert.ok(lastRevision > 0, 'no write committed before a kill: the test did not test anything');
  });

  test('a write waiting for another process\'s lock fails as unavailable after the busy timeout, reads go on', async () => {
    const store: RelationTupleStore = await openStore(database.dsn, { acquireTimeoutMs: 300 });
    const other = new Database(database.dsn.slice('sqlite://'.length).split('?')[0]!);
    try {
      // A store's first statement makes sure its network's rows exist (a write): done before the lock.
      const before = await store.headRevision();
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const outcome = await store.transact([{ namespace: 'files', object: 'locked', relation: 'view', subject: { id: 'u' } }], []).then(
        () => 'committed',
        (error: unknown) => error,
      );
      const tookMs = performance.now() - started;
      assert.ok(outcome instanceof GatehouseError, String(outcome));
      assert.equal(outcome.kind, 'unavailable');
      assert.ok(tookMs >= 250 && tookMs <= 300 + 2000, `failed after ${Math.round(tookMs)} ms`);
      assert.equal(await store.headRevision(), before);
      other.exec('ROLLBACK');
      assert.ok((await store.transact([{ namespace: 'files', object: 'unlocked', relation: 'view', subject: { id: 'u' } }], [])) > 0);
    } finally {
      other.close();
      await store.close();
    }
  });
});
