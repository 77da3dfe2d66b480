import { ALLOWED_DSN_FORMS, dsnKind, maskDsn } from '../config/dsn.js';
import { GatehouseError, invalidArgument, unavailable } from '../errors.js';
import { mysqlSchema } from './migrations/mysql.js';
import { SqlMigrator } from './migrations/migrator.js';
import { cockroachSchema, postgresSchema } from './migrations/postgres.js';
import type { DialectSchema } from './migrations/schema.js';
import { sqliteSchema } from './migrations/sqlite.js';
import { cockroachDialect, postgresDialect } from './sql/dialects.js';
import type { SqlDriver } from './sql/driver.js';
import { SQLITE_SYNCHRONOUS, type SqliteSynchronous } from './sqlite/synchronous.js';
import { errorCode } from './sql/failures.js';
import { SqlRelationTupleStore } from './sql/sql-store.js';
import { tracedDriver } from './sql/traced-driver.js';
import type { RelationTupleStore, StoreOptions } from './store.js';

const DEFAULTS = { maxConnections: 10, acquireTimeoutMs: 5000, maxRetries: 5, statementTimeoutMs: 5000 };
/** Connection settings Keto reads from the DSN's query (its SQL library's), not meant for the driver. */
const POOL_PARAMS = ['max_conns', 'max_idle_conns', 'max_conn_lifetime', 'max_conn_idle_time'];

/**
 * Opens the store a DSN names and checks the database answers: `memory`,
 * `sqlite://PATH`, `postgres://`, `postgresql://`, `cockroach://`, `mysql://`. It does not
 * migrate: call `store.migrations.up()` (serve does so only with --migrate or `memory`).
 * A bad DSN or an unreachable server → a GatehouseError naming the DSN, password masked.
 */
export async function openStore(dsn: string, options: StoreOptions = {}): Promise<RelationTupleStore> {
  const opened = await openSqlDriver(dsn, options);
  const driver = options.spans === undefined ? opened.driver : tracedDriver(opened.driver, options.spans);
  const schema = opened.schema;
  const store = new SqlRelationTupleStore(driver, new SqlMigrator(driver, schema), options.paginationSecrets ?? []);
  try {
    await store.ping();
  } catch (error) {
    await driver.close().catch(() => undefined);
    const cause = error instanceof GatehouseError ? (error.cause ?? error) : error;
    throw unavailable(`Cannot reach the database "${maskDsn(dsn)}": ${describe(cause)}`, cause);
  }
  return store;
}

/**
 * The driver and schema a DSN names, without connecting yet. Only that database's client
 * library is loaded: each costs tens of milliseconds at start-up.
 */
export async function openSqlDriver(
  dsn: string,
  options: StoreOptions = {},
): Promise<{ driver: SqlDriver; schema: DialectSchema }> {
  const kind = dsnKind(dsn);
  if (kind === undefined) {
    throw invalidArgument(`Unsupported DSN "${maskDsn(dsn)}": use ${ALLOWED_DSN_FORMS}`);
  }
  let driver: SqlDriver;
  let schema: DialectSchema;
  try {
    const url = kind === 'memory' ? undefined : new URL(dsn.replace(/@tcp\(([^)]*)\)/, '@$1'));
    const settings = { ...DEFAULTS, ...dsnPoolSettings(url), ...definedOnly(options) };
    if (kind === 'memory' || kind === 'sqlite') {
      const { SqliteDriver } = await import('./sqlite/driver.js');
      const file = kind === 'memory' ? { path: ':memory:', synchronous: undefined } : sqliteFile(dsn);
      driver = SqliteDriver.open(file.path, { busyTimeoutMs: settings.acquireTimeoutMs, synchronous: file.synchronous });
      schema = sqliteSchema;
    } else if (kind === 'mysql') {
      const { MysqlDriver } = await import('./mysql/driver.js');
      driver = new MysqlDriver({
        host: url!.hostname || '127.0.0.1',
        port: url!.port === '' ? 3306 : Number(url!.port),
        user: decodeURIComponent(url!.username),
        password: url!.password === '' ? undefined : decodeURIComponent(url!.password),
        database: decodeURIComponent(url!.pathname.slice(1)),
        ...settings,
      });
      schema = mysqlSchema;
    } else {
      for (const key of POOL_PARAMS) url!.searchParams.delete(key);
      url!.protocol = 'postgres:';
      const { PostgresDriver } = await import('./postgres/driver.js');
      driver = new PostgresDriver(kind === 'cockroach' ? cockroachDialect : postgresDialect, {
        connectionString: url!.toString(),
        ...settings,
      });
      schema = kind === 'cockroach' ? cockroachSchema : postgresSchema;
    }
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    throw invalidArgument(`Cannot open the database "${maskDsn(dsn)}": ${describe(error)}`);
  }
  return { driver, schema };
}

/**
 * `sqlite://PATH?…`: the file path, and the sync level Keto's driver reads from `_synchronous`
 * (or `_sync`): OFF, NORMAL, FULL, EXTRA or 0–3. Its other parameters (`_fk`, `_journal_mode`, …) do not apply here.
 */
function sqliteFile(dsn: string): { path: string; synchronous: SqliteSynchronous | undefined } {
  const rest = dsn.slice('sqlite://'.length);
  const queryStart = rest.indexOf('?');
  const path = (queryStart < 0 ? rest : rest.slice(0, queryStart)).replace(/^file:/, '');
  const query = new URLSearchParams(queryStart < 0 ? '' : rest.slice(queryStart + 1));
  const synchronous = sqliteSynchronous(query.get('_synchronous') ?? query.get('_sync'));
  if (path === ':memory:' || path === '' || query.get('mode') === 'memory') return { path: ':memory:', synchronous };
  return { path: decodeURIComponent(path), synchronous };
}

function sqliteSynchronous(value: string | null): SqliteSynchronous | undefined {
  if (value === null) return undefined;
  const level = /^[0-3]$/.test(value) ? SQLITE_SYNCHRONOUS[Number(value)] : SQLITE_SYNCHRONOUS.find((name) => name === value.toUpperCase());
  if (level === undefined) throw invalidArgument(`_synchronous must be ${SQLITE_SYNCHRONOUS.join(', ')} or 0-3, not "${value}"`);
  return level;
}

function dsnPoolSettings(url: URL | undefined): Partial<typeof DEFAULTS> {
  const maxConns = Number(url?.searchParams.get('max_conns') ?? NaN);
  return Number.isSafeInteger(maxConns) && maxConns > 0 ? { maxConnections: maxConns } : {};
}

function definedOnly(options: StoreOptions): Partial<typeof DEFAULTS> {
  const out: Partial<typeof DEFAULTS> = {};
  if (options.maxConnections !== undefined) out.maxConnections = options.maxConnections;
  if (options.acquireTimeoutMs !== undefined) out.acquireTimeoutMs = options.acquireTimeoutMs;
  if (options.maxRetries !== undefined) out.maxRetries = options.maxRetries;
  if (options.statementTimeoutMs !== undefined) out.statementTimeoutMs = options.statementTimeoutMs;
  return out;
}

/** A short reason without secrets: the driver's error code, or its message when it has none. */
function describe(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && !/^\d/.test(code)) return code;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
