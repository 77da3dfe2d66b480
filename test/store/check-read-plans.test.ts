/**
 * The plans of the reads a check or a lookup makes of the database (the index off, or still
 * warming up), read with EXPLAIN on every dialect: a read of a few keys goes through an index
 * bounded by their objects (or by the subject asked for), a reverse lookup's read through one
 * bounded by its subjects; never through every row of a namespace's relation or of the network.
 * (On SQLite, which keeps no statistics, both did: at 1M tuples a 3-hop check took about 100 ms.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import type { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import { SQL_DIALECTS } from './databases.js';
import { explainers, writePlanTuples } from './plans.js';
import { recordedStore, type SentQuery } from './recording-driver.js';

/** Three keys of one namespace and relation (their objects IN a list); with a key of another, an OR of two such groups. */
const ONE_GROUP = [
  { namespace: 'Doc', object: 'o0', relation: 'viewer' },
  { namespace: 'Doc', object: 'o12', relation: 'viewer' },
  { namespace: 'Doc', object: 'o24', relation: 'viewer' },
];
const TWO_GROUPS = [...ONE_GROUP, { namespace: 'Group', object: 'o5', relation: 'member' }];

/** Whether every read of the tuple table in a plan goes through an index by an equality on the object, or on the subject. */
const narrowed: Record<string, (text: string) => boolean> = {
  sqlite: (text) => {
    const reads = text.split(' | ').filter((line) => /^(SEARCH|SCAN) t\b/.test(line));
    return reads.length > 0 && reads.every((line) => /^SEARCH t USING (COVERING )?INDEX \S+ \(.*\b(object|subject_id|subject_set_object)=\?/.test(line));
  },
  postgres: (text) => !/Seq Scan on keto_relation_tuples/.test(text) && /Index Cond: .*\b(object|subject_id|subject_set_object) = /.test(text),
  mysql: (text) => {
    const reads = (JSON.parse(text) as { table: string | null; type: string; key: string | null }[]).filter((row) => row.table === 't');
    return reads.length > 0 && reads.every((row) => ['ref', 'range'].includes(row.type) && /(uuid_full|uuid_subject_sets|uuid_subject_ids|uuid_reverse_subject|object)_idx$/.test(row.key ?? ''));
  },
};

for (const dialect of SQL_DIALECTS) {
  describe(`check read plans on ${dialect.name}`, { skip: dialect.skip }, () => {
    let driver: SqlDriver;
    let store: SqlRelationTupleStore;
    let sent: SentQuery[];
    let close = async () => {};

    before(async () => {
      ({ driver, store, sent, close } = await recordedStore(dialect));
      await writePlanTuples(store);
    });
    after(() => close());

    const reads: Record<string, (keys: typeof ONE_GROUP) => Promise<unknown>> = {
      hasSubject: (keys) => store.hasSubject(keys, { id: 'user7' }),
      subjectSets: (keys) => store.subjectSets(keys, 100),
      orderedSubjectSets: (keys) => store.orderedSubjectSets(keys),
      subjects: (keys) => store.subjects(keys, 100),
    };
    const shapes = [['three keys of one namespace and relation', ONE_GROUP], ['four keys in two groups', TWO_GROUPS]] as const;
    const judge = async (read: () => Promise<unknown>) => {
      sent.length = 0;
      await read();
      assert.ok(sent.length > 0, 'the read sent no query');
      for (const { sql, params } of sent) {
        const { text } = await explainers[driver.dialect.name]!(driver, sql, [...params]);
        assert.ok(narrowed[driver.dialect.name]!(text), `not read through the keys' objects or the subject: ${text}`);
      }
    };
    /** A reverse lookup's read: the keys holding subject ids and subject sets of two namespaces and relations, in any namespace or one. */
    const keysOf = (namespace?: string) =>
      store.keysOf(
        [
          { id: 'user7' },
          { id: 'user8' },
          { set: { namespace: 'Group', object: 'g5', relation: 'member' } },
          { set: { namespace: 'Group', object: 'g10', relation: 'member' } },
          { set: { namespace: 'Doc', object: 'o1', relation: 'viewer' } },
        ],
        namespace,
      );
    for (const [read, run] of Object.entries(reads)) {
      for (const [shape, keys] of shapes) {
        test(`${read} of ${shape} reads through indexes bounded by their objects or the subject`, () => judge(() => run(keys)));
      }
    }
    test('keysOf subject ids and subject sets reads through indexes bounded by the subjects', async () => {
      await judge(() => keysOf());
      await judge(() => keysOf('Doc'));
    });
    test('after statistics are gathered, the same holds', async () => {
      await driver.execute(driver.dialect.name === 'mysql' ? 'ANALYZE TABLE keto_relation_tuples' : 'ANALYZE');
      for (const run of Object.values(reads)) for (const [, keys] of shapes) await judge(() => run(keys));
      await judge(() => keysOf());
      await judge(() => keysOf('Doc'));
    });
  });
}
