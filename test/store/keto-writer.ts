/**
 * Writes to a database exactly as a Keto process does (`ory/keto:
 * internal/persistence/sql/relationtuples.go` and `uuid_mapping.go`), over a connection of
 * its own: the strings' UUIDv5 mappings first, then the rows in one transaction (Keto's
 * column list, a random shard id, the commit time), and deletes by the tuple's columns.
 * Nothing here touches gatehouse's tables.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { uuidV5 } from '../../src/store/uuid.js';
import type { RelationTuple } from '../../src/tuple.js';

export interface KetoWriter {
  /** Keto's WriteRelationTuples. */
  insert(tuples: readonly RelationTuple[]): Promise<void>;
  /** Keto's DeleteRelationTuples. */
  delete(tuples: readonly RelationTuple[]): Promise<void>;
  close(): Promise<void>;
}

type Dialect = 'sqlite' | 'postgres' | 'mysql';

interface Connection {
  run(sql: string, args: readonly unknown[]): Promise<void>;
  transaction(work: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const dialectOf = (dsn: string): Dialect => (dsn.startsWith('sqlite://') ? 'sqlite' : dsn.startsWith('mysql://') ? 'mysql' : 'postgres');

/** `work` between `begin` and COMMIT, rolled back when it throws. */
const inTransaction =
  (begin: string, exec: (sql: string) => unknown) =>
  async (work: () => Promise<void>): Promise<void> => {
    await exec(begin);
    try {
      await work();
      await exec('COMMIT');
    } catch (error) {
      await exec('ROLLBACK');
      throw error;
    }
  };

async function connect(dsn: string, dialect: Dialect): Promise<Connection> {
  if (dialect === 'sqlite') {
    const db = new Database(dsn.slice('sqlite://'.length).split('?')[0]!, { timeout: 5000 });
    db.pragma('foreign_keys = ON');
    return {
      run: async (sql, args) => void db.prepare(sql).run(...(args as unknown[])),
      transaction: inTransaction('BEGIN IMMEDIATE', (sql) => void db.exec(sql)),
      close: async () => void db.close(),
    };
  }
  if (dialect === 'mysql') {
    const url = new URL(dsn);
    const c = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
      database: url.pathname.slice(1),
      timezone: 'Z',
    });
    return {
      run: async (sql, args) => void (await c.execute(sql, args as never)),
      transaction: inTransaction('START TRANSACTION', (sql) => c.query(sql)),
      close: () => c.end(),
    };
  }
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  // Keto's SQL library rebinds `?` to PostgreSQL's `$n`.
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    run: async (sql, args) => void (await c.query(numbered(sql), args as unknown[])),
    transaction: inTransaction('BEGIN', (sql) => c.query(sql)),
    close: () => c.end(),
  };
}

/** A Keto process writing to the database `dsn` names, in network `nid`. */
export async function ketoWriter(dsn: string, nid: string): Promise<KetoWriter> {
  const dialect = dialectOf(dsn);
  const c = await connect(dsn, dialect);
  const id = (text: string) => uuidV5(nid, text);
  const commitTime = () =>
    dialect === 'sqlite' ? `${new Date().toISOString().replace('T', ' ').replace('Z', '')}000000+00:00` : new Date().toISOString().replace('T', ' ').replace('Z', '');
  const mapStrings = async (tuples: readonly RelationTuple[]) => {
    const strings = new Set<string>();
    for (const t of tuples) {
      strings.add(t.object);
      strings.add('id' in t.subject ? t.subject.id : t.subject.set.object);
    }
    const values = [...strings];
    const rows = values.map(() => '(?, ?)').join(', ');
    const args = values.flatMap((text) => [id(text), text]);
    await c.transaction(() =>
      c.run(
        dialect === 'mysql'
          ? `INSERT IGNORE INTO keto_uuid_mappings (id, string_representation) VALUES ${rows}`
          : `INSERT INTO keto_uuid_mappings (id, string_representation) VALUES ${rows} ON CONFLICT (id) DO NOTHING`,
        args,
      ),
    );
  };
  return {
    async insert(tuples) {
      if (tuples.length === 0) return;
      await mapStrings(tuples);
      const at = commitTime();
      const args = tuples.flatMap((t) =>
        'id' in t.subject
          ? [randomUUID(), nid, t.namespace, id(t.object), t.relation, id(t.subject.id), null, null, null, at]
          : [randomUUID(), nid, t.namespace, id(t.object), t.relation, null, t.subject.set.namespace, id(t.subject.set.object), t.subject.set.relation, at],
      );
      await c.transaction(() =>
        c.run(
          `INSERT INTO keto_relation_tuples (shard_id, nid, namespace, object, relation, subject_id, subject_set_namespace, subject_set_object, subject_set_relation, commit_time) VALUES ${tuples.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          args,
        ),
      );
    },
    async delete(tuples) {
      if (tuples.length === 0) return;
      const ors: string[] = [];
      const args: unknown[] = [];
      for (const t of tuples) {
        if ('id' in t.subject) {
          ors.push('(namespace = ? AND object = ? AND relation = ? AND subject_id = ? AND subject_set_namespace IS NULL AND subject_set_object IS NULL AND subject_set_relation IS NULL)');
          args.push(t.namespace, id(t.object), t.relation, id(t.subject.id));
        } else {
          ors.push('(namespace = ? AND object = ? AND relation = ? AND subject_id IS NULL AND subject_set_namespace = ? AND subject_set_object = ? AND subject_set_relation = ?)');
          args.push(t.namespace, id(t.object), t.relation, t.subject.set.namespace, id(t.subject.set.object), t.subject.set.relation);
        }
      }
      args.push(nid);
      await c.transaction(() => c.run(`DELETE FROM keto_relation_tuples WHERE (${ors.join(' OR ')}) AND nid = ?`, args));
    },
    close: () => c.close(),
  };
}
