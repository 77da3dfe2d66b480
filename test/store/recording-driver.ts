import type { SqlDriver, SqlParameter } from '../../src/store/sql/driver.js';

export interface SentQuery {
  readonly method: 'query' | 'queryArrays';
  readonly sql: string;
  readonly params: readonly SqlParameter[];
}

/** `driver`, recording every query and queryArrays sent through it (not those its transactions send). */
export function recording(driver: SqlDriver, sent: SentQuery[]): SqlDriver {
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
