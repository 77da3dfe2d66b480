import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { after, before } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';

/** A database made for one test run, and how to drop it afterwards. */
export interface TestDatabase {
  readonly dsn: string;
  drop(): Promise<void>;
}

const uniqueName = () => `gatehouse_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export function sqliteFileDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'));
  return {
    dsn: `sqlite://${join(dir, 'store.db')}?_fk=true`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Brings the database `dsn` names to the newest schema. */
export async function migrate(dsn: string): Promise<void> {
  const store = await openStore(dsn);
  try {
    await store.migrations.up();
  } finally {
    await store.close();
  }
}

/** A fresh, uniquely named PostgreSQL database next to the one `adminDsn` names. */
export async function postgresDatabase(adminDsn: string): Promise<TestDatabase> {
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: adminDsn });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminDsn);
  url.pathname = `/${name}`;
  return {
    dsn: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminDsn });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A fresh, uniquely named MySQL/MariaDB database on the server `adminDsn` names. */
export async function mysqlDatabase(adminDsn: string): Promise<TestDatabase> {
  const name = uniqueName();
  const url = new URL(adminDsn);
  const connect = () =>
    mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
    });
  const admin = await connect();
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  url.pathname = `/${name}`;
  return {
    dsn: url.toString(),
    async drop() {
      const connection = await connect();
      await connection.query(`DROP DATABASE IF EXISTS ${name}`);
      await connection.end();
    },
  };
}

/** A SQL dialect a shared suite runs on: SQLite always, PostgreSQL and MySQL when their server is named. */
export interface SqlDialect {
  readonly name: 'SQLite' | 'PostgreSQL' | 'MySQL';
  /** Why the dialect is skipped, or false. */
  readonly skip: string | false;
  database(): Promise<TestDatabase>;
}

export const SQL_DIALECTS: readonly SqlDialect[] = [
  { name: 'SQLite', skip: false, database: async () => sqliteFileDatabase() },
  {
    name: 'PostgreSQL',
    skip: process.env['TEST_POSTGRES_DSN'] ? false : 'TEST_POSTGRES_DSN is not set',
    database: () => postgresDatabase(process.env['TEST_POSTGRES_DSN']!),
  },
  {
    name: 'MySQL',
    skip: process.env['TEST_MYSQL_DSN'] ? false : 'TEST_MYSQL_DSN is not set',
    database: () => mysqlDatabase(process.env['TEST_MYSQL_DSN']!),
  },
];

/** Inside a describe: a migrated store on a fresh database of `dialect`, opened before its tests and dropped after them. */
export function migratedStore(dialect: SqlDialect): () => RelationTupleStore {
  let database: TestDatabase | undefined;
  let store: RelationTupleStore | undefined;
  before(async () => {
    database = await dialect.database();
    store = await openStore(database.dsn);
    await store.migrations.up();
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => store!;
}
