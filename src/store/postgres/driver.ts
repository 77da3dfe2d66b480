import pg from 'pg';
import type { Dialect, Row, SqlDriver, SqlExecutor, SqlParameter } from '../sql/driver.js';
import { type ChangeNotifications, localNotifications } from '../change-notifications.js';
import { errorCode, mapped, SOCKET_CODES, withRetries, type FailureClass } from '../sql/failures.js';
import { postgresNotifications } from './notifications.js';

/** 64-bit integers (revisions, counts) arrive as numbers; they stay far below 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

function classify(error: unknown): FailureClass {
  const code = errorCode(error) ?? '';
  if (code === '40001' || code === '40P01') return 'transient';
  if (code === '42P01') return 'unmigrated';
  if (SOCKET_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300') return 'unreachable';
  if (error instanceof Error && /timeout|terminated|not queryable/i.test(error.message)) return 'unreachable';
  return 'other';
}

/** `?` placeholders become PostgreSQL's `$1, $2, …` (gatehouse's SQL text never holds a literal `?`). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

const executorOf = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
  async query<T extends Row>(sql: string, params: readonly SqlParameter[] = []) {
    return (await client.query(numbered(sql), params as SqlParameter[])).rows as T[];
  },
  async execute(sql, params = []) {
    return (await client.query(numbered(sql), params as SqlParameter[])).rowCount ?? 0;
  },
  async queryArrays(sql, params = []) {
    return (await client.query<unknown[]>({ text: numbered(sql), values: params as SqlParameter[], rowMode: 'array' })).rows;
  },
});

export interface PostgresDriverOptions {
  readonly connectionString: string;
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
  readonly maxRetries: number;
}

/** PostgreSQL and CockroachDB over a `pg` pool. */
export class PostgresDriver implements SqlDriver {
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;

  constructor(
    readonly dialect: Dialect,
    private readonly options: PostgresDriverOptions,
  ) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server must not take the process down; the next query reports it.
    this.pool.on('error', () => undefined);
    this.direct = executorOf(this.pool);
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParameter[]): Promise<T[]> {
    return mapped(classify, () => this.direct.query<T>(sql, params));
  }

  execute(sql: string, params?: readonly SqlParameter[]): Promise<number> {
    return mapped(classify, () => this.direct.execute(sql, params));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return withRetries(this.options.maxRetries, classify, async () => {
      const client = await this.pool.connect();
      // A checked-out client has no listener of the pool's: without this one, a connection the
      // server drops mid-transaction would be an unhandled 'error' event that ends the process.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // On a lost connection the server has rolled back already; there is nothing to send it.
        if (broken === undefined && classify(error) !== 'unreachable') {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        } else broken ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        client.off('error', onError);
        // A broken client is closed, not pooled.
        client.release(broken);
      }
    });
  }

  /** LISTEN/NOTIFY, on PostgreSQL only (CockroachDB has neither; its followers poll). */
  changeNotifications(onChange: () => void, onError: (error: unknown) => void): ChangeNotifications {
    if (this.dialect.name !== 'postgres') return localNotifications(onChange);
    return postgresNotifications(this.options.connectionString, onChange, onError);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
