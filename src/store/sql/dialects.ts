import type { Dialect, DialectName, SqlColumn, SqlExecutor, SqlStatement, SqlValue } from './driver.js';
import { MAX_PARAMETERS, placeholders, PREPARED } from './driver.js';
import { claimLease, onGalera, releaseLease } from '../mysql/galera-lease.js';

const isoSeconds = (at: Date): string => at.toISOString().replace('T', ' ').replace('Z', '');

async function revisionReturning(tx: SqlExecutor, nid: string): Promise<number> {
  const rows = await tx.query<{ revision: unknown }>(
    'UPDATE gatehouse_head SET revision = revision + 1 WHERE nid = ? RETURNING revision',
    [nid],
    PREPARED,
  );
  return Number(rows[0]!.revision);
}

const onConflictDoNothing = (table: string, columns: readonly string[], key: readonly string[], rows: number) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)} ON CONFLICT (${key.join(', ')}) DO NOTHING`;

/** Multi-row VALUES lists of at most `maxRows` rows, each within the parameter limit; `ignoring` writes one for `rows` rows. */
const valuesInserts =
  (ignoring: (table: string, columns: readonly string[], key: readonly string[], rows: number) => string, maxRows = Infinity) =>
  (table: string, columns: readonly SqlColumn[], rows: readonly SqlValue[][], ignoreKey?: readonly string[]): SqlStatement[] => {
    const names = columns.map((column) => column.name);
    const perStatement = Math.min(maxRows, Math.floor(MAX_PARAMETERS / names.length));
    const statements: SqlStatement[] = [];
    for (let at = 0; at < rows.length; at += perStatement) {
      const chunk = rows.slice(at, at + perStatement);
      const params: SqlValue[] = [];
      for (const row of chunk) for (const value of row) params.push(value);
      statements.push({
        sql:
          ignoreKey === undefined
            ? `INSERT INTO ${table} (${names.join(', ')}) VALUES ${placeholders(chunk.length, names.length)}`
            : ignoring(table, names, ignoreKey, chunk.length),
        params,
      });
    }
    return statements;
  };

/**
 * PostgreSQL: one statement whatever the row count, a typed array per column unnested into
 * rows. Parsing, planning and binding cost the same for 10 rows as for 10 000.
 */
function unnestInsert(table: string, columns: readonly SqlColumn[], rows: readonly SqlValue[][], ignoreKey?: readonly string[]): SqlStatement[] {
  if (rows.length === 0) return [];
  const arrays = columns.map((_, index) => rows.map((row) => row[index] ?? null));
  const unnest = columns.map((column) => `?::${column.type}[]`).join(', ');
  const conflict = ignoreKey === undefined ? '' : ` ON CONFLICT (${ignoreKey.join(', ')}) DO NOTHING`;
  return [
    {
      sql: `INSERT INTO ${table} (${columns.map((column) => column.name).join(', ')}) SELECT * FROM unnest(${unnest})${conflict}`,
      params: arrays,
      // One text per table, whatever the number of rows.
      options: PREPARED,
    },
  ];
}

/** An arbitrary constant naming gatehouse's migration lock (PostgreSQL advisory locks take a number). */
const MIGRATION_LOCK_KEY = 7_346_215_901;
const MYSQL_MIGRATION_LOCK = 'gatehouse_migrations';
const MIGRATION_LOCK_WAIT_SECONDS = 300;
/** Shorter than the wait, so that a run waiting on a dead holder's lease gets it. */
const MIGRATION_LEASE_SECONDS = 240;

const noLock = async () => undefined;

/** Another constant, for the lock that lets one process at a time prune the changelog. */
const PRUNING_LOCK_KEY = 7_346_215_902;
const MYSQL_PRUNING_LOCK = 'gatehouse_changelog_pruning';

const granted = (rows: { locked: unknown }[]): boolean => rows[0]?.locked === true || Number(rows[0]?.locked) === 1;

const inInformationSchema = (schema: string) => async (tx: SqlExecutor, table: string) =>
  (await tx.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = ?`, [table]))
    .length > 0;

const plainEquals = (column: string, value: string, params: SqlValue[]): string => {
  params.push(value);
  return `${column} = ?`;
};

/**
 * SQLite keeps a copy of every page a multi-row INSERT changes until the statement ends, in
 * memory (sqlite/driver.ts): about seven random index pages per tuple, so 500 rows hold at most 14 MiB.
 */
const SQLITE_ROWS_PER_INSERT = 500;

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  transactionalDdl: true,
  textEquals: plainEquals,
  exact: (column) => column,
  // TEXT compares with BINARY unless a column says otherwise: UTF-8 bytes, in code point order.
  binaryOrder: (expression) => expression,
  // A unary plus keeps SQLite from answering `nid = ?` with an index that starts with nid.
  storeOrderWalk: { tableHint: '', nidEquals: (column) => `+${column} = ?`, copy: false, setup: [] },
  indexHint: (index) => `INDEXED BY ${index}`,
  // A unary plus leaves the value and its collation as they are, and takes the column out of an index's order.
  sortedApart: (column) => `+${column}`,
  reverseIndexHint: (kind) => `INDEXED BY keto_relation_tuples_uuid_reverse_subject_${kind}_idx`,
  insertIgnoring: onConflictDoNothing,
  arrayParameters: false,
  insertRows: valuesInserts(onConflictDoNothing, SQLITE_ROWS_PER_INSERT),
  // The text form Keto's SQLite driver writes: "2006-01-02 15:04:05.999999999-07:00".
  timestamp: (at) => `${isoSeconds(at)}+00:00`,
  nextRevision: revisionReturning,
  tableExists: async (tx, table) =>
    (await tx.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])).length > 0,
  // BEGIN IMMEDIATE already gives the step's transaction the only write lock on the file.
  lockMigrations: noLock,
  unlockMigrations: noLock,
  // One writer at a time: the marker row is seen by this transaction only, and gone before it commits.
  ownWrite: { begin: ['INSERT INTO gatehouse_writing (marker) VALUES (1)'], end: ['DELETE FROM gatehouse_writing'] },
  // BEGIN IMMEDIATE makes the pruning transaction the only writer.
  tryLockPruning: async () => true,
  unlockPruning: noLock,
};

function postgresFamily(name: 'postgres' | 'cockroach'): Dialect {
  return {
    name,
    transactionalDdl: name === 'postgres',
    textEquals: plainEquals,
    exact: (column) => column,
    // The "C" collation compares the UTF-8 bytes, whatever the database's collation.
    binaryOrder: (expression) => `${expression} COLLATE "C"`,
    // PostgreSQL has no index hints, and right after a bulk load (no statistics yet) it
    // estimates that few rows match the network, so it reads all of them through the nid
    // index and sorts them for every keyset page. With sorting disabled for the statement's
    // transaction the primary key is its only ordered path. The warm-up streams one COPY.
    storeOrderWalk: {
      tableHint: '',
      nidEquals: (column) => `${column} = ?`,
      copy: name === 'postgres',
      setup: name === 'postgres' ? ['SET LOCAL enable_sort = off'] : [],
    },
    indexHint: () => '',
    sortedApart: (column) => column,
    reverseIndexHint: () => '',
    insertIgnoring: onConflictDoNothing,
    // CockroachDB keeps VALUES lists and OR-ed deletes: the array forms are measured and tested on PostgreSQL only.
    arrayParameters: name === 'postgres',
    insertRows: name === 'postgres' ? unnestInsert : valuesInserts(onConflictDoNothing),
    timestamp: isoSeconds,
    nextRevision: revisionReturning,
    tableExists: inInformationSchema('current_schema()'),
    // Held until the step's transaction ends. CockroachDB runs schema changes outside
    // transactions and has no advisory locks: concurrent runs there rely on idempotent steps.
    lockMigrations:
      name === 'postgres'
        ? async (tx) => void (await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`))
        : noLock,
    unlockMigrations: noLock,
    // Transaction-local; CockroachDB installs no triggers, so it has nothing to tell them.
    ownWrite: { begin: name === 'postgres' ? ["SELECT set_config('gatehouse.writer', 'on', true)"] : [], end: [] },
    // CockroachDB has no advisory locks: concurrent pruning transactions conflict and one retries.
    tryLockPruning:
      name === 'postgres'
        ? async (tx) => granted(await tx.query<{ locked: unknown }>(`SELECT pg_try_advisory_xact_lock(${PRUNING_LOCK_KEY}) AS locked`))
        : async () => true,
    unlockPruning: noLock,
  };
}

export const postgresDialect = postgresFamily('postgres');
export const cockroachDialect = postgresFamily('cockroach');

/**
 * An expression's UTF-8 bytes: what MySQL compares and groups byte for byte. A binary
 * collation is not enough there, as utf8mb4_bin pads with spaces (`'a' = 'a '` holds),
 * and a database Keto created may use any character set.
 */
const utf8Bytes = (expression: string): string => `CAST(CONVERT(${expression} USING utf8mb4) AS BINARY)`;

const insertIgnore = (table: string, columns: readonly string[], _key: readonly string[], rows: number) =>
  `INSERT IGNORE INTO ${table} (${columns.join(', ')}) VALUES ${placeholders(rows, columns.length)}`;

export const mysqlDialect: Dialect = {
  name: 'mysql',
  transactionalDdl: false,
  // The first comparison can use an index under any column collation; the second makes it exact.
  textEquals(column, value, params) {
    params.push(value, value);
    return `(${column} = ? AND ${utf8Bytes(column)} = ${utf8Bytes('?')})`;
  },
  exact: utf8Bytes,
  binaryOrder: utf8Bytes,
  // Left to itself, MySQL/MariaDB may pick an index that starts with nid and sort every page.
  storeOrderWalk: { tableHint: 'FORCE INDEX (PRIMARY)', nidEquals: (column) => `${column} = ?`, copy: false, setup: [] },
  indexHint: (index) => `FORCE INDEX (${index})`,
  sortedApart: (column) => column,
  reverseIndexHint: () => '',
  insertIgnoring: insertIgnore,
  arrayParameters: false,
  insertRows: valuesInserts(insertIgnore),
  timestamp: isoSeconds,
  async nextRevision(tx, nid) {
    await tx.execute('UPDATE gatehouse_head SET revision = LAST_INSERT_ID(revision + 1) WHERE nid = ?', [nid]);
    const rows = await tx.query<{ revision: unknown }>('SELECT LAST_INSERT_ID() AS revision');
    return Number(rows[0]!.revision);
  },
  tableExists: inInformationSchema('DATABASE()'),
  // A session lock: MySQL commits schema changes implicitly, so a transaction cannot hold it.
  // GET_LOCK holds on one server only: on a Galera cluster a lease row holds on every node.
  async lockMigrations(tx) {
    const rows = await tx.query<{ locked: unknown }>('SELECT GET_LOCK(?, ?) AS locked', [MYSQL_MIGRATION_LOCK, MIGRATION_LOCK_WAIT_SECONDS]);
    if (Number(rows[0]?.locked) !== 1) throw new Error('timed out waiting for another migration run');
    if (await onGalera(tx)) await claimLease(tx, MYSQL_MIGRATION_LOCK, MIGRATION_LEASE_SECONDS, MIGRATION_LOCK_WAIT_SECONDS);
  },
  async unlockMigrations(tx) {
    if (await onGalera(tx)) await releaseLease(tx, MYSQL_MIGRATION_LOCK);
    await tx.query('SELECT RELEASE_LOCK(?) AS released', [MYSQL_MIGRATION_LOCK]);
  },
  // Every connection of gatehouse's pool is marked when it opens (mysql/driver.ts): nothing to run per transaction.
  ownWrite: { begin: [], end: [] },
  // A session lock, released before the connection goes back to the pool. On a Galera cluster
  // it keeps out pruners on the same node only: concurrent pruning transactions on two nodes
  // conflict at commit, one of them retries, and the horizon only moves forward.
  tryLockPruning: async (tx) => granted(await tx.query<{ locked: unknown }>('SELECT GET_LOCK(?, 0) AS locked', [MYSQL_PRUNING_LOCK])),
  unlockPruning: async (tx) => void (await tx.query('SELECT RELEASE_LOCK(?) AS released', [MYSQL_PRUNING_LOCK])),
};

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  sqlite: sqliteDialect,
  postgres: postgresDialect,
  cockroach: cockroachDialect,
  mysql: mysqlDialect,
};
