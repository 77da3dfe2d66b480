import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import { openSqlDriver } from '../../src/store/open.js';
import type { SqlDriver, SqlParameter } from '../../src/store/sql/driver.js';
import { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import type { SqlDialect } from './databases.js';

export interface SentQuery {
  readonly method: 'query' | 'queryArrays';
  readonly sql: string;
  readonly params: readonly SqlParameter[];
}

/** `driver`, recording every query and queryArrays sent through it (not those its transactions send). */
function recording(driver: SqlDriver, sent: SentQuery[]): SqlDriver {
  return new Proxy(driver, {
    get(target, property, receiver) {
      if (property === 'query' || property === 'queryArrays') {
        return (sql: string, params: readonly SqlParameter[] = [], options?: never) => {
          sent.push({ method: property, sql, params });
          return property === 'query' ? target.query(sql, params, options) : target.queryArrays(sql, params);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface RecordedStore {
  /** The driver itself: what a test sends through it is not recorded. */
  readonly driver: SqlDriver;
  /** A migrated store over the recording driver. */
  readonly store: SqlRelationTupleStore;
  readonly sent: SentQuery[];
  /** Closes the driver and drops the database. */
  close(): Promise<void>;
}

/** A store on a fresh database of `dialect`, every query it sends outside of transactions recorded. */
export async function recordedStore(dialect: SqlDialect): Promise<RecordedStore> {
  const database = await dialect.database();
  const { driver, schema } = await openSqlDriver(database.dsn);
  const sent: SentQuery[] = [];
  const store = new SqlRelationTupleStore(recording(driver, sent), new SqlMigrator(driver, schema));
  const close = async () => {
    await driver.close();
    await database.drop();
  };
  try {
    await store.migrations.up();
  } catch (error) {
    await close();
    throw error;
  }
  return { driver, store, sent, close };
}
