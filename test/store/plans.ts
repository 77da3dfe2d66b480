/** What the plan tests (listing-plans, check-read-plans) share: their data set, and EXPLAIN on each dialect. */
import type { SqlDriver } from '../../src/store/sql/driver.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';

const TUPLES = 20_000;

/** Doc, Folder and Group objects with viewer, owner, parent and member relations; every fifth subject a subject set. */
function tupleAt(i: number): RelationTuple {
  const namespace = ['Doc', 'Folder', 'Group'][i % 3]!;
  const relation = ['viewer', 'owner', 'parent', 'member'][i % 4]!;
  const subject = i % 5 === 0 ? { set: { namespace: 'Group', object: `g${i % 200}`, relation: 'member' } } : { id: `user${i % 3000}` };
  return { namespace, object: `o${i % 4000}`, relation, subject };
}

/** Writes the plan tests' 20 000 tuples (objects o0 … o3999, users user0 … user2999, groups g0 … g199). */
export async function writePlanTuples(store: RelationTupleStore): Promise<void> {
  for (let at = 0; at < TUPLES; at += 2000) await store.transact(Array.from({ length: 2000 }, (_, i) => tupleAt(at + i)), []);
}

/** What a plan does, in the terms the plan tests need. */
export interface PlanFacts {
  readonly fullScan: boolean;
  readonly sorts: boolean;
  /** Whether the index read starts at the page's position (a range condition in the index access, not a filter). */
  readonly ranged: boolean;
  /** Whether the index read is bounded to one object or one subject (an equality on its column). */
  readonly narrowed: boolean;
  readonly text: string;
}

export const explainers: Record<string, (driver: SqlDriver, sql: string, params: unknown[]) => Promise<PlanFacts>> = {
  async sqlite(driver, sql, params) {
    const rows = await driver.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params as never);
    const details = rows.map((r) => r.detail);
    return {
      fullScan: details.some((d) => /^SCAN /.test(d)),
      sorts: details.some((d) => d.includes('TEMP B-TREE')),
      ranged: details.some((d) => /^SEARCH t USING .*INDEX .*\(.*>\?\)/.test(d)),
      narrowed: details.some((d) => /USING .*INDEX .*\((nid=\? AND )?.*(object|subject_id|subject_set_object)=\?/.test(d)),
      text: details.join(' | '),
    };
  },
  async postgres(driver, sql, params) {
    const rows = await driver.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params as never);
    const lines = rows.map((r) => r['QUERY PLAN']);
    return {
      fullScan: lines.some((l) => /Seq Scan|Index (Only )?Scan using keto_relation_tuples_uuid_pkey/.test(l) && !/Index Cond: .*shard_id = /.test(l)),
      sorts: lines.some((l) => /\bSort\b/.test(l) && !l.includes('Sort Key')),
      ranged: lines.some((l) => /Index Cond: .* > /.test(l)),
      narrowed: lines.some((l) => /Index Cond: .*\b(object|subject_id|subject_set_object) = /.test(l)),
      text: lines.join(' | '),
    };
  },
  async mysql(driver, sql, params) {
    const rows = await driver.query<{ table: string | null; type: string; key: string | null; Extra: string | null }>(`EXPLAIN ${sql}`, params as never);
    // A row without a table: MIN() answered from the index's ends ("Select tables optimized away").
    const table = rows.filter((r) => r.table !== null);
    return {
      fullScan: table.some((r) => r.type === 'ALL' || r.type === 'index' || r.key === 'PRIMARY' || r.key === null),
      sorts: table.some((r) => (r.Extra ?? '').includes('filesort')),
      ranged: table.every((r) => r.type === 'range' || (r.Extra ?? '').includes('for group-by')),
      narrowed: table.every((r) => r.key === 'gatehouse_tuples_object_idx' || r.key === 'keto_relation_tuples_uuid_reverse_subject_idx'),
      text: JSON.stringify(rows),
    };
  },
};
