import type { ChangeNotifications } from '../change-notifications.js';
/**
 * The narrow seam between the SQL store and a database driver. SQL text uses `?`
 * placeholders; a driver rewrites them when its database wants another style.
 * Drivers turn their own errors into GatehouseErrors (no SQL, DSN or host in the message).
 */
export type SqlValue = string | number | null;
/** A bound parameter: a value, or a list of them (bound as an array; only PostgreSQL's statements use these). */
export type SqlParameter = SqlValue | readonly SqlValue[];
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * A statement whose text is one of a few fixed ones, run often: PostgreSQL prepares it once
   * per connection, so that each later run skips the parse and the plan. (MySQL's driver and
   * SQLite's keep every statement prepared already.)
   */
  readonly prepared?: boolean;
}

export const PREPARED: QueryOptions = { prepared: true };

export interface SqlExecutor {
  query<T extends Row = Row>(sql: string, params?: readonly SqlParameter[], options?: QueryOptions): Promise<T[]>;
  /** `query` with each row an array of its values in the selection's order: no object made per row (a walk's pages). */
  queryArrays(sql: string, params?: readonly SqlParameter[]): Promise<unknown[][]>;
  /** Runs a statement; returns the number of rows it changed. */
  execute(sql: string, params?: readonly SqlParameter[], options?: QueryOptions): Promise<number>;
  /**
   * Runs `COPY … TO STDOUT` (no parameters), handing `onRow` each row's bytes as they arrive
   * until it returns false; in a transaction only, where the store reads in bulk through it
   * (PostgreSQL's warm-up walk).
   */
  copyRows?(sql: string, onRow: (row: Buffer) => boolean): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: Dialect;
  /** True when no other process can reach the database (SQLite in memory). */
  readonly processPrivate?: boolean;
  /**
   * Runs `work` in one transaction and commits; rolls back when it throws. A transaction
   * that failed on a serialization failure or deadlock is retried (the work runs again).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * `query` on a connection outside the pool, each statement prepared once: for the one small
   * read that every read in the default consistency waits on (the head revision), where a
   * pool checkout and a parse would be most of its cost (PostgreSQL). Elsewhere it is a query.
   */
  probe?<T extends Row = Row>(sql: string, params?: readonly SqlParameter[]): Promise<T[]>;
  /** Notices of committed writes between processes, where the database carries them (PostgreSQL). */
  changeNotifications?(onChange: () => void, onError: (error: unknown) => void): ChangeNotifications;
  close(): Promise<void>;
  /** Connections checked out and requests waiting for one, where the driver keeps a pool (PostgreSQL, MySQL). */
  poolUsage?(): PoolUsage;
}

export interface PoolUsage {
  readonly inUse: number;
  readonly waiting: number;
}

export interface TransactionOptions {
  /** No statement timeout in this transaction (schema changes, which may take long on big tables). */
  readonly untimed?: boolean;
  /** A schema change: SQLite sorts a new index's keys in temporary files, not in memory (sqlite/driver.ts). */
  readonly schema?: boolean;
}

export type DialectName = 'sqlite' | 'postgres' | 'cockroach' | 'mysql';

/** The two kinds of subject Keto indexes apart: subject ids, and subject sets. */
export type SubjectKind = 'ids' | 'sets';

/** What differs between the SQL dialects, and nothing else. */
export interface Dialect {
  readonly name: DialectName;
  /** Whether schema changes can run inside a transaction (not MySQL, not CockroachDB). */
  readonly transactionalDdl: boolean;
  /**
   * `column = ?` compared byte for byte. Pushes the bound values onto `params`.
   * (MySQL's default collations fold case; gatehouse's identifiers never do.)
   */
  textEquals(column: string, value: string, params: SqlValue[]): string;
  /** `column` as an expression that groups and sorts byte for byte. */
  exact(column: string): string;
  /** `expression` (a column or a `?`) as one that compares and sorts in binary (code point) order under any collation. */
  binaryOrder(expression: string): string;
  /**
   * An unfiltered walk of a network's tuples in `shard_id` order, written so that the
   * primary key (shard_id, nid) serves both the range and the order (no index that
   * starts with nid, no sort): a hint after the table alias, and the nid condition.
   */
  readonly storeOrderWalk: {
    readonly tableHint: string;
    nidEquals(column: string): string;
    /** Whether the walk streams one `COPY … TO STDOUT` in binary (copy-walk.ts) instead of keyset pages. */
    readonly copy: boolean;
    /** Statements run first in the walk's transaction (a page of it then runs in one), to steer the planner. */
    readonly setup: readonly string[];
  };
  /** What follows a table alias to make a query read through the named index (nothing where the planner takes no hints). */
  indexHint(index: string): string;
  /**
   * `column` as an ORDER BY term that no index is read for: the rows are found through the
   * index that narrows them most, then sorted. (SQLite, which keeps no statistics, otherwise
   * prefers an index that yields the order: all of a namespace's relation read to sort none.)
   */
  sortedApart(column: string): string;
  /**
   * What follows a table alias to make a read by subjects of `kind` go through Keto's reverse
   * index of that kind. (SQLite, which keeps no statistics, otherwise reads the whole network
   * through the covering index that starts with nid, to spare looking up each row's object.)
   */
  reverseIndexHint(kind: SubjectKind): string;
  /** `INSERT … ` that skips rows whose primary key exists, for `columns` and `rows` rows. */
  insertIgnoring(table: string, columns: readonly string[], key: readonly string[], rows: number): string;
  /** Whether statements may bind arrays (`SqlParameter` lists) and unnest them into rows. */
  readonly arrayParameters: boolean;
  /**
   * Statements that insert `rows` (one value per column each) into `table`, skipping rows
   * whose `ignoreKey` columns match an existing row when it is given: as few statements as
   * the dialect's limit on bound parameters allows.
   */
  insertRows(table: string, columns: readonly SqlColumn[], rows: readonly SqlValue[][], ignoreKey?: readonly string[]): SqlStatement[];
  /** A TIMESTAMP parameter in the form the dialect stores. */
  timestamp(at: Date): SqlValue;
  /** Increments the head revision row of `nid` and returns the new value; runs in `tx`. */
  nextRevision(tx: SqlExecutor, nid: string): Promise<number>;
  /** Whether `table` exists, asked without an error (which would end a PostgreSQL transaction). */
  tableExists(tx: SqlExecutor, table: string): Promise<boolean>;
  /**
   * Makes concurrent migration runs (other processes included) take turns; called first in
   * a migration step's transaction, released by `unlockMigrations` (or the transaction's end).
   */
  lockMigrations(tx: SqlExecutor): Promise<void>;
  unlockMigrations(tx: SqlExecutor): Promise<void>;
  /**
   * Statements run first and last in each of gatehouse's write transactions: they tell the
   * triggers that log writes made by Keto processes (which do not log themselves) that this
   * transaction's rows are logged by gatehouse already.
   */
  readonly ownWrite: { readonly begin: readonly string[]; readonly end: readonly string[] };
  /**
   * Takes the changelog pruning lock for the rest of `tx` without waiting; false when another
   * process holds it. Released by `unlockPruning` (or the transaction's end).
   */
  tryLockPruning(tx: SqlExecutor): Promise<boolean>;
  unlockPruning(tx: SqlExecutor): Promise<void>;
}

/** A column written by `insertRows`, with its type in PostgreSQL's terms (uuid, text, timestamp). */
export interface SqlColumn {
  readonly name: string;
  readonly type: 'uuid' | 'text' | 'timestamp';
}

export interface SqlStatement {
  readonly sql: string;
  readonly params: SqlParameter[];
  readonly options?: QueryOptions;
}

/** Bound parameters per statement: within the lowest limit of the supported databases (SQLite's 32 766). */
export const MAX_PARAMETERS = 32_766;

export const placeholders = (count: number, width: number): string => {
  const one = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: count }, () => one).join(', ');
};
