/**
 * The plans of filtered listings, read with EXPLAIN on every dialect: for each filter
 * combination Keto's list API accepts, a first page and a later one (keyset condition) must
 * read through an index whose equality prefix holds a filter (never a full scan of the table
 * or of an index), a later page starting its index read at its position (a range, not a
 * filter over the rows before it). A page may sort only rows its index narrowed to one object or one subject;
 * a namespace or a relation is never sorted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openSqlDriver } from '../../src/store/open.js';
import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { listingOrder, nextNamespace, type PageQuery, pageQueries } from '../../src/store/sql/list-order.js';
import { Predicates } from '../../src/store/sql/predicates.js';
import { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import type { RelationQuery } from '../../src/tuple.js';
import { SQL_DIALECTS, type TestDatabase } from './databases.js';
import { explainers, writePlanTuples } from './plans.js';


/** Every combination of the four filters, with a subject id and with a subject set. */
function queries(): RelationQuery[] {
  const out: RelationQuery[] = [];
  for (let mask = 1; mask < 16; mask++)
    for (const subject of mask & 8 ? [{ id: 'user7' }, { set: { namespace: 'Group', object: 'g5', relation: 'member' } }] : [undefined]) {
      out.push({
        ...(mask & 1 ? { namespace: 'Doc' } : {}),
        ...(mask & 2 ? { object: 'o7' } : {}),
        ...(mask & 4 ? { relation: 'viewer' } : {}),
        ...(subject !== undefined ? { subject } : {}),
      });
    }
  return out;
}

for (const dialect of SQL_DIALECTS) {
  describe(`listing plans on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let driver: SqlDriver;
    let where: Predicates;

    before(async () => {
      database = await dialect.database();
      const opened = await openSqlDriver(database.dsn);
      driver = opened.driver;
      const store = new SqlRelationTupleStore(driver, new SqlMigrator(driver, opened.schema));
      await store.migrations.up();
      await writePlanTuples(store);
      where = new Predicates(driver.dialect, await store.networkId());
    });
    after(async () => {
      await driver?.close();
      await database?.drop();
    });

    const check = async (stage: string) => {
      for (const query of queries()) {
        for (const position of [undefined, { after: '00000000-0000-4000-8000-000000000000', relation: 'owner', namespace: 'Doc' }]) {
          const parts: PageQuery[] = listingOrder(query).byNamespace
            ? [...pageQueries(driver.dialect, where, query, 'Doc', position, 501), nextNamespace(where, position === undefined ? undefined : 'Doc')]
            : pageQueries(driver.dialect, where, query, undefined, position, 501);
          for (const part of parts) {
            const facts = await explainers[driver.dialect.name]!(driver, part.sql, part.params);
            const why = `${stage} ${JSON.stringify(query)} ${position === undefined ? 'first page' : 'later page'}: ${facts.text}`;
            assert.equal(facts.fullScan, false, `full scan: ${why}`);
            if (position !== undefined && !facts.narrowed) assert.equal(facts.ranged, true, `position not bounding the index read: ${why}`);
            if (facts.sorts) assert.ok(facts.narrowed, `sort of more than one object's or subject's rows: ${why}`);
            if (query.object === undefined && query.subject === undefined) assert.equal(facts.sorts, false, `sort: ${why}`);
          }
        }
      }
    };

    test('before the database has statistics, no filter is answered by a full scan or a sort of its matches', () => check('fresh'));
    test('after statistics are gathered, the same holds', async () => {
      await driver.execute(driver.dialect.name === 'mysql' ? 'ANALYZE TABLE keto_relation_tuples' : 'ANALYZE');
      await check('analyzed');
    });
  });
}
