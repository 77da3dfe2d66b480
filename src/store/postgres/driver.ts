import pg from 'pg';
import type { Dialect, PoolUsage, QueryOptions, Row, SqlDriver, SqlExecutor, SqlParameter, TransactionOptions } from '../sql/driver.js';
import { type ChangeNotifications, localNotifications } from '../change-notifications.js';
import { errorCode, mapped, SOCKET_CODES, withRetries, type FailureClass } from '../sql/failures.js';
import { copyOut } from './copy-out.js';
import { postgresNotifications } from './notifications.js';
import { ProbeConnection } from './probe-connection.js';
import { statementNames } from './statement-names.js';

/** 64-bit integers (revisions, counts) arrive as numbers; they stay far below 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (text) => Number(text));

/** pg's message when a statement outlived `query_timeout` (the server stopped answering). */
const READ_TIMEOUT = 'Query read timeout';
/** The client waits this much longer than the server's statement timeout, so that the server's cancel comes first. */
const CLIENT_TIMEOUT_SLACK_MS = 500;
/** A statement timeout no statement reaches (setTimeout's largest delay, about 24 days). */
const UNBOUNDED_MS = 2 ** 31 - 1;

function classify(error: unknown): FailureClass {
  const code = errorCode(error) ?? '';
  if (code === '40001' || code === '40P01') return 'transient';
  if (code === '42P01') return 'unmigrated';
  // query_canceled (statement_timeout), lock_not_available, and the client's own read timeout.
  if (code === '57014' || code === '55P03' || (error instanceof Error && error.message === READ_TIMEOUT)) return 'timeout';
  if (SOCKET_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300') return 'unreachable';
  if (error instanceof Error && /timeout|terminated|not queryable/i.test(error.message)) return 'unreachable';
  return 'other';
}

/** `?` placeholders become PostgreSQL's `$1, $2, …` (gatehouse's SQL text never holds a literal `?`). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Statements the store asks to prepare (`QueryOptions.prepared`): a few fixed texts; the bound is a guard. */
const MAX_PREPARED_STATEMENTS = 64;

/**
 * Statements on `client`, the prepared ones under their names from `nameOf`;
 * `queryTimeoutMs` overrides the pool's client-side timeout when given.
 */
const executorOf = (client: pg.Pool | pg.PoolClient, nameOf: (text: string) => string | undefined, queryTimeoutMs?: number): SqlExecutor => {
  const run = <R extends pg.QueryResultRow>(sql: string, params: readonly SqlParameter[], options?: QueryOptions, arrays = false) => {
    const text = numbered(sql);
    const name = options?.prepared === true ? nameOf(text) : undefined;
    return client.query<R>({
      text,
      values: params as SqlParameter[],
      ...(name !== undefined && { name }),
      ...(arrays && { rowMode: 'array' }),
      ...(queryTimeoutMs === undefined ? {} : { query_timeout: queryTimeoutMs }),
    } as pg.QueryConfig);
  };
  return {
    async query<T extends Row>(sql: string, params: readonly SqlParameter[] = [], options?: QueryOptions) {
      return (await run(sql, params, options)).rows as T[];
    },
    async queryArrays(sql, params = []) {
      return (await run(sql, params, undefined, true)).rows as unknown[][];
    },
    async execute(sql, params = [], options) {
      return (await run(sql, params, options)).rowCount ?? 0;
    },
    ...(!(client instanceof pg.Pool) && { copyRows: (sql: string, onRow: (row: Buffer) => boolean) => copyOut(client, sql, onRow, queryTimeoutMs) }),
  };
};

/** Whether the client's connection cannot be trusted after `error` (lost, or a statement abandoned on it). */
const connectionLost = (error: unknown): boolean => {
  const failure = classify(error);
  return failure === 'unreachable' || (failure === 'timeout' && !(error instanceof pg.DatabaseError));
};

export interface PostgresDriverOptions {
  readonly connectionString: string;
  readonly maxConnections: number;
  readonly acquireTimeoutMs: number;
  readonly maxRetries: number;
  /**
   * Longest a statement may run, 0 for no limit: the server cancels it (`statement_timeout`),
   * and the client gives up on a server that stopped answering shortly after.
   */
  readonly statementTimeoutMs: number;
}

/** PostgreSQL and CockroachDB over a `pg` pool. */
export class PostgresDriver implements SqlDriver {
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;
  private readonly probes: ProbeConnection;
  private readonly nameOf = statementNames('gatehouse', MAX_PREPARED_STATEMENTS);

  constructor(
    readonly dialect: Dialect,
    private readonly options: PostgresDriverOptions,
  ) {
    const connection: pg.ClientConfig = {
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      ...(options.statementTimeoutMs > 0 && {
        // A startup parameter of every connection; CockroachDB is left to the client's timeout.
        ...(dialect.name === 'postgres' && { statement_timeout: options.statementTimeoutMs }),
        query_timeout: options.statementTimeoutMs + CLIENT_TIMEOUT_SLACK_MS,
      }),
    };
    this.pool = new pg.Pool({ ...connection, max: options.maxConnections, idleTimeoutMillis: 30_000 });
    // An idle client losing its server must not take the process down; the next query reports it.
    this.pool.on('error', () => undefined);
    this.direct = executorOf(this.pool, this.nameOf);
    this.probes = new ProbeConnection(connection, connectionLost);
  }

  poolUsage(): PoolUsage {
    return { inUse: this.pool.totalCount - this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  query<T extends Row = Row>(sql: string, params?: readonly SqlParameter[], options?: QueryOptions): Promise<T[]> {
    return mapped(classify, () => this.direct.query<T>(sql, params, options));
  }

  queryArrays(sql: string, params?: readonly SqlParameter[]): Promise<unknown[][]> {
    return mapped(classify, () => this.direct.queryArrays(sql, params));
  }

  probe<T extends Row = Row>(sql: string, params: readonly SqlParameter[] = []): Promise<T[]> {
    return mapped(classify, () => this.probes.query<T>(numbered(sql), params));
  }

  execute(sql: string, params?: readonly SqlParameter[], options?: QueryOptions): Promise<number> {
    return mapped(classify, () => this.direct.execute(sql, params, options));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
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
        if (options.untimed && this.options.statementTimeoutMs > 0) {
          if (this.dialect.name === 'postgres') await client.query('SET LOCAL statement_timeout = 0');
        }
        const result = await work(executorOf(client, this.nameOf, options.untimed ? UNBOUNDED_MS : undefined));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // On a lost connection the server rolls back by itself; there is nothing to send it.
        if (broken === undefined && !connectionLost(error)) {
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
    await Promise.all([this.probes.close(), this.pool.end()]);
  }
}
