import mysql from 'mysql2/promise';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from '../sql/driver.js';
import { mysqlDialect } from '../sql/dialects.js';
import { errorCode, mapped, SOCKET_CODES, withRetries, type FailureClass } from '../sql/failures.js';

function classify(error: unknown): FailureClass {
  const code = errorCode(error) ?? '';
  if (code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT') return 'transient';
  if (code === 'ER_NO_SUCH_TABLE') return 'unmigrated';
  if (
    SOCKET_CODES.has(code) ||
    code.startsWith('PROTOCOL_') ||
    code === 'ER_CON_COUNT_ERROR' ||
    code === 'ER_BAD_DB_ERROR' ||
    code === 'ER_ACCESS_DENIED_ERROR' ||
    code === 'POOL_ACQUIRE_TIMEOUT' ||
    code === 'POOL_CLOSED'
  ) {
    return 'unreachable';
  }
  // mysql2 marks the errors after which a connection is unusable (closed, reset, protocol broken).
  if ((error as { fatal?: unknown } | null)?.fatal === true) return 'unreachable';
  return 'other';
}

const executorOf = (connection: mysql.Pool | mysql.PoolConnection): SqlExecutor => ({
  async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
    const [rows] = await connection.execute(sql, params as SqlValue[]);
    return (Array.isArray(rows) ? rows : []) as T[];
  },
  async execute(sql, params = []) {
    const [result] = await connection.execute(sql, params as SqlValue[]);
    return (result as mysql.ResultSetHeader).affectedRows ?? 0;
  },
});

export interface MysqlDriverOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
  readonly maxRetries: number;
}

/** MySQL and MariaDB over a mysql2 pool, with server-side prepared statements. */
export class MysqlDriver implements SqlDriver {
  readonly dialect = mysqlDialect;
  private readonly pool: mysql.Pool;
  private readonly direct: SqlExecutor;

  constructor(private readonly options: MysqlDriverOptions) {
    this.pool = mysql.createPool({
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      connectionLimit: options.maxConnections,
      connectTimeout: options.acquireTimeoutMs,
      charset: 'utf8mb4',
      timezone: 'Z',
      supportBigNumbers: true,
      multipleStatements: false,
      // Statements differ by their IN-list widths; a small per-connection cache keeps the
      // server's global prepared-statement limit (16 382 by default) out of reach.
      maxPreparedStatements: 64,
    });
    this.pool.on('connection', (connection) => {
      // TIMESTAMP values are written and read in UTC, as Keto does.
      connection.query("SET time_zone = '+00:00'");
    });
    this.direct = executorOf(this.pool);
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return mapped(classify, () => this.direct.query<T>(sql, params));
  }

  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return mapped(classify, () => this.direct.execute(sql, params));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return withRetries(this.options.maxRetries, classify, async () => {
      const connection = await this.acquire();
      // A connection that fails while checked out must not raise an unhandled 'error' event.
      const onError = () => undefined;
      connection.connection.on('error', onError);
      let broken = false;
      try {
        await connection.query('START TRANSACTION');
        const result = await work(executorOf(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        if (classify(error) === 'unreachable') broken = true;
        else {
          await connection.query('ROLLBACK').catch(() => {
            broken = true;
          });
        }
        throw error;
      } finally {
        connection.connection.off('error', onError);
        if (broken) connection.destroy();
        else connection.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** A pooled connection, or POOL_ACQUIRE_TIMEOUT once the acquire timeout passes. */
  private acquire(): Promise<mysql.PoolConnection> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(Object.assign(new Error('timed out waiting for a database connection'), { code: 'POOL_ACQUIRE_TIMEOUT' }));
      }, this.options.acquireTimeoutMs);
      this.pool.getConnection().then(
        (connection) => {
          clearTimeout(timer);
          if (timedOut) connection.release();
          else resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
