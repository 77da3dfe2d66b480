import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { sqliteNativeBinding } from '../../assets.js';
import type { Row, SqlDriver, SqlExecutor, SqlParameter, TransactionOptions } from '../sql/driver.js';
import { sqliteDialect } from '../sql/dialects.js';
import { errorCode, mapped, withRetries, type FailureClass } from '../sql/failures.js';
import { DEFAULT_SQLITE_SYNCHRONOUS, type SqliteSynchronous } from './synchronous.js';

const STATEMENT_CACHE_SIZE = 256;

/**
 * Where SQLite keeps temporary data: a multi-row INSERT's copy of every page it changes (kept
 * to undo the statement alone), sorts and temporary tables. In memory rather than temporary
 * files: 25 KiB less written and 45 µs less CPU per tuple of a bulk import (dialects.ts bounds
 * the statement). Schema changes go back to files: building an index sorts every row's key, all
 * of them in memory otherwise (an index of two UUIDs over 2M rows: 150 MiB more at its peak).
 */
const TEMP_STORE = 'MEMORY';

function classify(error: unknown): FailureClass {
  const code = errorCode(error) ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'transient';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_FULL')) {
    return 'unreachable';
  }
  if (error instanceof Error && /no such table/.test(error.message)) return 'unmigrated';
  return 'other';
}

/**
 * One better-sqlite3 connection. SQLite runs in-process and synchronously, so every
 * statement and transaction takes a turn on an async queue: a transaction's await points
 * never let another caller's statement run on the connection mid-transaction.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = sqliteDialect;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor = {
    query: async <T extends Row>(sql: string, params?: readonly SqlParameter[]) => this.run(sql, params) as T[],
    queryArrays: async (sql, params = []) => this.prepared(sql).raw(true).all(...params) as unknown[][],
    execute: async (sql, params) => this.change(sql, params),
  };

  constructor(
    private readonly db: Database.Database,
    readonly processPrivate: boolean,
  ) {}

  /**
   * `busyTimeoutMs`: how long a write waits for another process's write lock (SQLite's own retry loop).
   * `synchronous`: when SQLite syncs the file system (docs/operations.md says what each level guarantees).
   */
  static open(path: string, options: { busyTimeoutMs: number; synchronous?: SqliteSynchronous | undefined }): SqliteDriver {
    // better-sqlite3 also takes the loaded addon itself (its type declarations name only a path).
    const nativeBinding = sqliteNativeBinding() as string | undefined;
    const db = new Database(path, { timeout: options.busyTimeoutMs, nativeBinding });
    if (path !== ':memory:') {
      switchToWal(db, options.busyTimeoutMs);
      // A commit of a PATCH-sized write dirties thousands of index pages (Keto's indexes are keyed by
      // random UUIDs). Copying the log back every 10 000 pages rather than SQLite's 1 000 writes a page
      // that several commits changed to the database file once; at FULL each commit is still synced to the log.
      db.pragma('wal_autocheckpoint = 10000');
    }
    db.pragma(`synchronous = ${options.synchronous ?? DEFAULT_SQLITE_SYNCHRONOUS}`);
    // Keto's indexes are keyed by random UUIDs: a cache far above SQLite's 2 MiB default keeps them in memory.
    db.pragma('cache_size = -65536');
    db.pragma(`temp_store = ${TEMP_STORE}`);
    db.pragma('foreign_keys = ON');
    return new SqliteDriver(db, path === ':memory:');
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParameter[]): Promise<T[]> {
    return this.turn(() => mapped(classify, () => this.direct.query<T>(sql, params)));
  }

  queryArrays(sql: string, params?: readonly SqlParameter[]): Promise<unknown[][]> {
    return this.turn(() => mapped(classify, () => this.direct.queryArrays(sql, params)));
  }

  execute(sql: string, params?: readonly SqlParameter[]): Promise<number> {
    return this.turn(() => mapped(classify, () => this.direct.execute(sql, params)));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.turn(() =>
      // No retries on top of the busy timeout: a write lock still held after it means busy (503).
      withRetries(0, classify, async () => {
        // SQLite changes where temporary data goes only outside a transaction.
        if (options.schema === true) this.db.pragma('temp_store = FILE');
        try {
          this.db.exec('BEGIN IMMEDIATE');
          try {
            const result = await work(this.direct);
            this.db.exec('COMMIT');
            return result;
          } catch (error) {
            if (this.db.inTransaction) this.db.exec('ROLLBACK');
            throw error;
          }
        } finally {
          if (options.schema === true) this.db.pragma(`temp_store = ${TEMP_STORE}`);
        }
      }),
    );
  }

  async close(): Promise<void> {
    await this.turn(async () => this.db.close());
  }

  private turn<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private run(sql: string, params: readonly SqlParameter[] = []): Row[] {
    const statement = this.prepared(sql);
    if (statement.reader) return statement.raw(false).all(...params) as Row[];
    statement.run(...params);
    return [];
  }

  private change(sql: string, params: readonly SqlParameter[] = []): number {
    return this.prepared(sql).run(...params).changes;
  }
}

/**
 * Entering WAL mode takes an exclusive lock, and SQLite answers SQLITE_BUSY at once (without its
 * busy handler) when another process opens the same fresh file at that moment: retry for up to
 * the busy timeout. Runs once, at open.
 */
function switchToWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
