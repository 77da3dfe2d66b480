/** A database Keto migrated and wrote to is used as is: recognised, extended, read, written. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import { uuidV5 } from '../../src/store/uuid.js';
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from './databases.js';
import { KETO_MYSQL_DATABASE, KETO_NETWORK_ID, KETO_POSTGRES_DATABASE, KETO_SQLITE_DATABASE, MAPPED } from './fixtures/keto-migrated.js';

type Raw = (statements: readonly string[]) => Promise<Record<string, unknown>[]>;

const sqliteRaw = (dsn: string): Raw => async (statements) => {
  const db = new Database(dsn.slice('sqlite://'.length).split('?')[0]!);
  try {
    let last: Record<string, unknown>[] = [];
    for (const s of statements) {
      const statement = db.prepare(s);
      last = statement.reader ? (statement.all() as Record<string, unknown>[]) : (statement.run(), []);
    }
    return last;
  } finally {
    db.close();
  }
};

const postgresRaw = (dsn: string): Raw => async (statements) => {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  try {
    let last: Record<string, unknown>[] = [];
    for (const s of statements) last = (await client.query(s)).rows;
    return last;
  } finally {
    await client.end();
  }
};

const mysqlRaw = (dsn: string): Raw => async (statements) => {
  const url = new URL(dsn);
  const connection = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database: url.pathname.slice(1),
  });
  try {
    let last: Record<string, unknown>[] = [];
    for (const s of statements) {
      const [result] = await connection.query(s);
      last = Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
    }
    return last;
  } finally {
    await connection.end();
  }
};

const bySubject = (a: { relation: string; subject: object }, b: { relation: string; subject: object }) =>
  a.relation.localeCompare(b.relation) || JSON.stringify(a.subject).localeCompare(JSON.stringify(b.subject));

function adoptionCase(dialect: string, makeDatabase: () => Promise<TestDatabase>, raw: (dsn: string) => Raw, fixture: readonly string[]) {
  test(`a ${dialect} database Keto migrated: its history is recognised, gatehouse's tables are added, tuples read and written`, async () => {
    const database = await makeDatabase();
    await raw(database.dsn)(fixture);
    const store = await openStore(database.dsn);
    try {
      assert.deepEqual(
        (await store.migrations.status()).map((m) => m.state),
        ['applied', 'pending', 'pending', 'pending', 'pending', 'pending'],
      );
      assert.deepEqual(await store.migrations.up(), [
        '20261125000001000000',
        '20261125000002000000',
        '20261201000001000000',
        '20261201000002000000',
        '20261204000001000000',
      ]);
      assert.deepEqual((await store.list({ namespace: 'files' })).tuples.sort(bySubject), [
        { namespace: 'files', object: 'secret folder/ü', relation: 'owner', subject: { set: { namespace: 'groups', object: 'dev-team', relation: '' } } },
        { namespace: 'files', object: 'readme.md', relation: 'viewer', subject: { id: 'alice' } },
        { namespace: 'files', object: 'readme.md', relation: 'viewer', subject: { set: { namespace: 'groups', object: 'dev-team', relation: 'member' } } },
      ]);
      const team = [{ namespace: 'groups', object: 'dev-team', relation: 'member' }];
      assert.deepEqual(await store.hasSubject(team, { id: 'Alice' }), [true]);
      assert.deepEqual(await store.hasSubject(team, { id: 'alice' }), [false]);
      assert.deepEqual((await store.list({ namespace: 'FILES' })).tuples, []);
      assert.deepEqual((await store.list({ namespace: 'files', relation: 'VIEWER' })).tuples, []);
      const upper = { namespace: 'GROUPS', object: 'dev-team', relation: 'member' };
      const lower = { namespace: 'groups', object: 'dev-team', relation: 'MEMBER' };
      await store.transact(
        [
          { ...upper, subject: { id: 'bob' } },
          { ...upper, subject: { set: { namespace: 'groups', object: 'x', relation: 'm' } } },
          { ...lower, subject: { id: 'bob' } },
          { ...lower, subject: { set: { namespace: 'groups', object: 'y', relation: 'm' } } },
        ],
        [],
      );
      assert.deepEqual(await store.hasSubject([...team, upper, lower], { id: 'bob' }), [false, true, true]);
      assert.deepEqual(await store.subjectSets([upper, lower], 1), [
        [{ namespace: 'groups', object: 'x', relation: 'm' }],
        [{ namespace: 'groups', object: 'y', relation: 'm' }],
      ]);
      await store.transact([{ namespace: 'files', object: 'readme.md', relation: 'editor', subject: { id: 'alice' } }], []);
    } finally {
      await store.close();
    }
    try {
      const written = await raw(database.dsn)(["SELECT nid, object, subject_id FROM keto_relation_tuples WHERE relation = 'editor'"]);
      assert.deepEqual(
        written.map((r) => [String(r['nid']), String(r['object']), String(r['subject_id'])]),
        [[KETO_NETWORK_ID, MAPPED['readme.md'], MAPPED['alice']]],
      );
      const networks = await raw(database.dsn)(['SELECT id FROM networks']);
      assert.equal(networks.length, 1);
    } finally {
      await database.drop();
    }
  });
  test(`a ${dialect} database Keto migrated: a walk reads what a listing reads, a UUID with no mapping or in upper case included`, async () => {
    const database = await makeDatabase();
    await raw(database.dsn)(fixture);
    const row = (shard: string, object: string, subject: string) =>
      `('${shard}', '${KETO_NETWORK_ID}', 'files', '${object}', 'viewer', '${subject}', NULL, NULL, NULL, '2024-03-01 10:00:00')`;
    await raw(database.dsn)([
      `INSERT INTO keto_relation_tuples VALUES ${row('00000000-0000-4000-8000-000000000001', '00000000-0000-5000-8000-0000000000aa', MAPPED['alice']!)},
        ${row('00000000-0000-4000-8000-000000000002', MAPPED['readme.md']!.toUpperCase(), MAPPED['Alice']!)}`,
    ]);
    const store = await openStore(database.dsn);
    try {
      await store.migrations.up();
      const listed = [];
      for (let token = ''; ; ) {
        const page = await store.list({}, { size: 2, token });
        listed.push(...page.tuples);
        if (!(token = page.nextPageToken)) break;
      }
      const walked: unknown[] = [];
      await store.walk(2, (tuples) => walked.push(...tuples) > 0);
      assert.equal(walked.length, 6);
      assert.deepEqual(walked, listed);
      assert.deepEqual(walked[0], { namespace: 'files', object: '', relation: 'viewer', subject: { id: 'alice' } });
    } finally {
      await store.close();
      await database.drop();
    }
  });
}

test('UUIDv5 matches an independent implementation', () => {
  for (const [text, id] of Object.entries(MAPPED)) assert.equal(uuidV5(KETO_NETWORK_ID, text), id);
});

describe('adopting a database Keto migrated', () => {
  adoptionCase('SQLite', async () => sqliteFileDatabase(), sqliteRaw, KETO_SQLITE_DATABASE);
  const postgres = process.env['TEST_POSTGRES_DSN'];
  if (postgres) adoptionCase('PostgreSQL', () => postgresDatabase(postgres), postgresRaw, KETO_POSTGRES_DATABASE);
  else test('a PostgreSQL database Keto migrated', { skip: 'TEST_POSTGRES_DSN is not set' }, () => {});
  const mysqlDsn = process.env['TEST_MYSQL_DSN'];
  if (mysqlDsn) adoptionCase('MySQL (case-folding collation)', () => mysqlDatabase(mysqlDsn), mysqlRaw, KETO_MYSQL_DATABASE);
  else test('a MySQL database Keto migrated', { skip: 'TEST_MYSQL_DSN is not set' }, () => {});
});

test("a database with only part of Keto's history is refused with a clear message", async () => {
  const database = sqliteFileDatabase();
  await sqliteRaw(database.dsn)([
    'CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)',
    "INSERT INTO schema_migration (version) VALUES ('20150100000001000000'), ('20201110175414000000')",
  ]);
  const store = await openStore(database.dsn);
  try {
    await assert.rejects(store.migrations.up(), /part of Keto's migration history \(up to 20201110175414000000\)/);
  } finally {
    await store.close();
    await database.drop();
  }
});
