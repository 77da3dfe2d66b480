import type { Dialect, DialectName, SqlExecutor, SqlValue } from './driver.js';
import { placeholders } from './driver.js';

const isoSeconds = (at: Date): string => at.toISOString().replace('T', ' ').replace('Z', '');

async function revisionReturning(tx: SqlExecutor, nid: string): Promise<number> {
  const rows = await tx.query<{ revision: unknown }>(
    'UPDATE gatehouse_head SET revision = revision + 1 WHERE nid = ? RETURNING revision',
    [nid],
  );
  return Number(rows[0]!.revision);
}

const onConflictDoNothing = (table: string, columns: readonly string[], key: readonly string[], rows: number) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)} ON CONFLICT (${key.join(', ')}) DO NOTHING`;

const plainEquals = (column: string, value: string, params: SqlValue[]): string => {
  params.push(value);
  return `${column} = ?`;
};

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  transactionalDdl: true,
  textEquals: plainEquals,
  insertIgnoring: onConflictDoNothing,
  forUpdate: '',
  // The text form Keto's SQLite driver writes: "2006-01-02 15:04:05.999999999-07:00".
  timestamp: (at) => `${isoSeconds(at)}+00:00`,
  nextRevision: revisionReturning,
};

function postgresFamily(name: 'postgres' | 'cockroach'): Dialect {
  return {
    name,
    transactionalDdl: name === 'postgres',
    textEquals: plainEquals,
    insertIgnoring: onConflictDoNothing,
    forUpdate: ' FOR UPDATE',
    timestamp: isoSeconds,
    nextRevision: revisionReturning,
  };
}

export const postgresDialect = postgresFamily('postgres');
export const cockroachDialect = postgresFamily('cockroach');

export const mysqlDialect: Dialect = {
  name: 'mysql',
  transactionalDdl: false,
  // The first comparison can use an index under any column collation; the second makes it exact.
  textEquals(column, value, params) {
    params.push(value, value);
    return `(${column} = ? AND CONVERT(${column} USING utf8mb4) COLLATE utf8mb4_bin = ?)`;
  },
  insertIgnoring: (table, columns, _key, rows) =>
    `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)}`,
  forUpdate: ' FOR UPDATE',
  timestamp: isoSeconds,
  async nextRevision(tx, nid) {
    await tx.execute('UPDATE gatehouse_head SET revision = LAST_INSERT_ID(revision + 1) WHERE nid = ?', [nid]);
    const rows = await tx.query<{ revision: unknown }>('SELECT LAST_INSERT_ID() AS revision');
    return Number(rows[0]!.revision);
  },
};

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  cockroach: cockroachDialect,
  mysql: mysqlDialect,
};
