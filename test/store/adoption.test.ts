/** A database Keto migrated and wrote to is used as is: recognised, extended, read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open.js';
import { uuidV5 } from '../../src/store/uuid.js';
import { sqliteFileDatabase } from './databases.js';
import { KETO_NETWORK_ID, KETO_SQLITE_DATABASE, MAPPED } from './fixtures/keto-migrated.js';

test('UUIDv5 matches an independent implementation', () => {
  for (const [text, id] of Object.entries(MAPPED)) assert.equal(uuidV5(KETO_NETWORK_ID, text), id);
});

test('a SQLite database Keto migrated: Keto step recognised, gatehouse tables added, tuples read and written', async () => {
  const database = sqliteFileDatabase();
  const path = database.dsn.slice('sqlite://'.length).split('?')[0]!;
  const raw = new Database(path);
  for (const statement of KETO_SQLITE_DATABASE) raw.exec(statement);
  raw.close();
  const store = await openStore(database.dsn);
  try {
    const before = await store.migrations.status();
    assert.deepEqual(
      before.map((m) => m.state),
      ['applied', 'pending', 'pending'],
    );
    assert.deepEqual(await store.migrations.up(), ['20261125000001000000', '20261125000002000000']);
    const files = await store.list({ namespace: 'files' });
    assert.deepEqual(
      files.tuples.sort((a, b) => a.relation.localeCompare(b.relation) || JSON.stringify(a.subject).localeCompare(JSON.stringify(b.subject))),
      [
        { namespace: 'files', object: 'secret folder/ü', relation: 'owner', subject: { set: { namespace: 'groups', object: 'dev-team', relation: '' } } },
        { namespace: 'files', object: 'readme.md', relation: 'viewer', subject: { id: 'alice' } },
        { namespace: 'files', object: 'readme.md', relation: 'viewer', subject: { set: { namespace: 'groups', object: 'dev-team', relation: 'member' } } },
      ],
    );
    assert.deepEqual(await store.hasSubject([{ namespace: 'groups', object: 'dev-team', relation: 'member' }], { id: 'Alice' }), [true]);
    assert.deepEqual(await store.hasSubject([{ namespace: 'groups', object: 'dev-team', relation: 'member' }], { id: 'alice' }), [false]);
    await store.transact([{ namespace: 'files', object: 'readme.md', relation: 'editor', subject: { id: 'alice' } }], []);
  } finally {
    await store.close();
  }
  const check = new Database(path, { readonly: true });
  try {
    const written = check.prepare("SELECT nid, object, subject_id FROM keto_relation_tuples WHERE relation = 'editor'").get();
    assert.deepEqual(written, { nid: KETO_NETWORK_ID, object: MAPPED['readme.md'], subject_id: MAPPED['alice'] });
    assert.equal((check.prepare('SELECT COUNT(*) AS n FROM networks').get() as { n: number }).n, 1);
  } finally {
    check.close();
    await database.drop();
  }
});

test('a database with only part of Keto\'s history is refused with a clear message', async () => {
  const database = sqliteFileDatabase();
  const path = database.dsn.slice('sqlite://'.length).split('?')[0]!;
  const raw = new Database(path);
  raw.exec('CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)');
  raw.exec("INSERT INTO schema_migration (version) VALUES ('20150100000001000000'), ('20201110175414000000')");
  raw.close();
  const store = await openStore(database.dsn);
  try {
    await assert.rejects(store.migrations.up(), /part of Keto's migration history \(up to 20201110175414000000\)/);
  } finally {
    await store.close();
    await database.drop();
  }
});
