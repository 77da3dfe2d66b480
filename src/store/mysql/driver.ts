import mysql from 'mysql2/promise';
import type { PoolUsage, Row, SqlDriver, SqlExecutor, SqlValue, TransactionOptions } from '../sql/driver.js';
import { mysqlDialect } from '../sql/dialects.js';
import { DEADLINE_PASSED, errorCode, mapped, SOCKET_CODES, withinDeadline, withRetries, type FailureClass } from '../sql/failures.js';

function classify(error: unknown): FailureClass {
  const code = errorCode(error) ?? '';
  if (code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT') return 'transient';
  // The statement timeout, gatehouse's own (the connection is closed) or the server's (MariaDB, MySQL).
  if (code === DEADLINE_PASSED || code === 'ER_STATEMENT_TIMEOUT' || code === 'ER_QUERY_TIMEOUT') return 'timeout';
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

/**
 * The fewest retries of a transaction on a Galera node. Writes through different nodes that
 * take the next revision at once fail certification at commit, all but one: that is how the
 * cluster orders them, not a sign of trouble, and racing writers need more than a few tries.
 */
const GALERA_MIN_RETRIES = 30;

/** Statements MySQL does not take as prepared statements (they carry no parameters). */
const UNPREPARABLE = /^\s*(CREATE|DROP)\s+TRIGGER\b/i;

/** Statements on `connection`, each given up after `timeoutMs` (0: never) by closing the connection. */
const executorOf = (connection: mysql.PoolConnection, timeoutMs: number): SqlExecutor => {
  const run = async (sql: string, params: readonly SqlValue[], rowsAsArray = false) =>
    (
      await withinDeadline(
        params.length === 0 && UNPREPARABLE.test(sql) ? connection.query(sql) : connection.execute({ sql, rowsAsArray }, params as SqlValue[]),
        timeoutMs,
        () => connection.destroy(),
      )
    )[0];
  return {
    async query<T extends Row>(sql: string, params: readonly SqlValue[] = []) {
      const rows = await run(sql, params);
      return (Array.isArray(rows) ? rows : []) as T[];
    },
    async queryArrays(sql, params = []) {
      return (await run(sql, params as readonly SqlValue[], true)) as unknown[][];
    },
    async execute(sql, params = []) {
      return ((await run(sql, params as readonly SqlValue[])) as mysql.ResultSetHeader).affectedRows ?? 0;
    },
  };
};

/** Whether the connection is unusable after `error`: lost, or closed at the statement timeout. */
const connectionLost = (error: unknown): boolean =>
  (error as { fatal?: unknown } | null)?.fatal === true || classify(error) === 'unreachable' || errorCode(error) === DEADLINE_PASSED;

export interface MysqlDriverOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
  readonly maxRetries: number;
  /** Longest a statement may run before its connection is closed, 0 for no limit. */
  readonly statementTimeoutMs: number;
}

/** MySQL and MariaDB over a mysql2 pool, with server-side prepared statements. */
export class MysqlDriver implements SqlDriver {
  readonly dialect = mysqlDialect;
  private readonly pool: mysql.Pool;
  private readonly usage = { inUse: 0, waiting: 0 };
  /** The connections readCausally has set up. */
  private readonly prepared = new WeakSet<object>();
  /** Whether the server is a Galera node, once a connection has asked. */
  private galera = false;

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
      // TIMESTAMP values are written and read in UTC, as Keto does. @gatehouse_writer tells the
      // triggers that log Keto processes' writes that gatehouse logs this connection's writes itself.
      connection.query("SET time_zone = '+00:00', @gatehouse_writer = 1");
    });
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return mapped(classify, () => this.withConnection(false, (connection) => connection.query<T>(sql, params)));
  }

  queryArrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    return mapped(classify, () => this.withConnection(false, (connection) => connection.queryArrays(sql, params)));
  }

  /**
   * One statement in a transaction of its own, retried when it fails transiently (it was then
   * rolled back): on a Galera cluster, a write that conflicts with another node's fails so.
   */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return withRetries(this.retries, classify, () => this.withConnection(false, (connection) => connection.execute(sql, params)));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const untimed = options.untimed === true;
    return withRetries(this.retries, classify, () =>
      this.withConnection(untimed, async (connection, raw) => {
        const control = (sql: string) =>
          withinDeadline(raw.query(sql), untimed ? 0 : this.options.statementTimeoutMs, () => raw.destroy());
        await control('START TRANSACTION');
        try {
          const result = await work(connection);
          await control('COMMIT');
          return result;
        } catch (error) {
          // A connection that cannot roll back is closed: the server rolls back then.
          if (connectionLost(error)) raw.destroy();
          else await control('ROLLBACK').catch(() => raw.destroy());
          throw error;
        }
      }),
    );
  }

  private readonly retries = (): number => (this.galera ? Math.max(GALERA_MIN_RETRIES, this.options.maxRetries) : this.options.maxRetries);

  async close(): Promise<void> {
    await this.pool.end();
  }

  poolUsage(): PoolUsage {
    return { ...this.usage };
  }

  /**
   * Runs `use` on a pooled connection, its statements given up at the statement timeout
   * unless `untimed`. The connection goes back to the pool, or is closed when it failed.
   */
  private async withConnection<T>(
    untimed: boolean,
    use: (connection: SqlExecutor, raw: mysql.PoolConnection) => Promise<T>,
  ): Promise<T> {
    this.usage.waiting++;
    let connection: mysql.PoolConnection;
    try {
      connection = await this.acquire();
    } finally {
      this.usage.waiting--;
    }
    this.usage.inUse++;
    // A connection that fails while checked out must not raise an unhandled 'error' event.
    let broken = false;
    const onError = () => {
      broken = true;
    };
    connection.connection.on('error', onError);
    try {
      await this.readCausally(connection);
      return await use(executorOf(connection, untimed ? 0 : this.options.statementTimeoutMs), connection);
    } catch (error) {
      if (connectionLost(error)) broken = true;
      throw error;
    } finally {
      connection.connection.off('error', onError);
      // Once closed, a connection is out of the pool and release() does nothing.
      if (broken) connection.destroy();
      connection.release();
      this.usage.inUse--;
    }
  }

  /**
   * On a Galera node, makes every read on `connection` wait until the node has applied all
   * that the cluster committed before it (wsrep_sync_wait): a write answered by another node
   * is then seen by the next read here, as on one server. Done once per connection.
   */
  private async readCausally(connection: mysql.PoolConnection): Promise<void> {
    if (this.prepared.has(connection.connection)) return;
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW VARIABLES LIKE 'wsrep_on'");
    this.galera = rows[0]?.['Value'] === 'ON';
    if (this.galera) await connection.query('SET SESSION wsrep_sync_wait = 1');
    this.prepared.add(connection.connection);
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
