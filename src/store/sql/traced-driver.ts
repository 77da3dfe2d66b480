import type { DialectName, Row, SqlDriver, SqlExecutor, SqlParameter } from './driver.js';

/** Runs `work` in a span named `name` (the shape of `Tracing.child`). */
export type SpanRunner = <T>(name: string, attributes: Readonly<Record<string, string>>, work: () => T) => T;

/** OpenTelemetry's `db.system.name` of each dialect. */
const SYSTEM: Readonly<Record<DialectName, string>> = { sqlite: 'sqlite', postgres: 'postgresql', cockroach: 'cockroachdb', mysql: 'mysql' };

/**
 * The driver with each statement and transaction in a span of its own. A span names the
 * database and the statement's operation (`SELECT`, `INSERT` …), never its text or values.
 */
export function tracedDriver(driver: SqlDriver, spans: SpanRunner): SqlDriver {
  const system = SYSTEM[driver.dialect.name];
  const statement = <T>(sql: string, run: () => T): T => spans('db.query', { 'db.system.name': system, 'db.operation.name': operationOf(sql) }, run);
  const traced = (executor: SqlExecutor): SqlExecutor => {
    const { copyRows } = executor;
    return {
      query: (sql, params, options) => statement(sql, () => executor.query(sql, params, options)),
      queryArrays: (sql, params) => statement(sql, () => executor.queryArrays(sql, params)),
      execute: (sql, params, options) => statement(sql, () => executor.execute(sql, params, options)),
      ...(copyRows !== undefined && { copyRows: (sql, onRow) => statement(sql, () => copyRows.call(executor, sql, onRow)) }),
    };
  };
  const { changeNotifications } = driver;
  const probe = driver.probe?.bind(driver);
  return {
    ...traced(driver),
    ...(probe !== undefined && { probe: <T extends Row>(sql: string, params?: readonly SqlParameter[]) => statement(sql, () => probe<T>(sql, params)) }),
    dialect: driver.dialect,
    ...(driver.processPrivate !== undefined && { processPrivate: driver.processPrivate }),
    transaction: (work, options) => spans('db.transaction', { 'db.system.name': system }, () => driver.transaction((tx) => work(traced(tx)), options)),
    ...(changeNotifications !== undefined && { changeNotifications: (onChange, onError) => changeNotifications.call(driver, onChange, onError) }),
    ...(driver.poolUsage !== undefined && { poolUsage: () => driver.poolUsage!() }),
    close: () => driver.close(),
  };
}

function operationOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1];
  return word === undefined ? 'OTHER' : word.toUpperCase();
}
