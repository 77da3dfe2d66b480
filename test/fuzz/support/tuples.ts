import fc from 'fast-check';
import { NAMESPACES, RELATIONS } from './model.js';

/** A tuple in Keto's JSON shape (`subject_id` or `subject_set`). */
export interface KetoTuple {
  namespace: string;
  object: string;
  relation: string;
  subject_id?: string;
  subject_set?: { namespace: string; object: string; relation: string };
}

export const ids = fc.constantFrom('alice', 'bob', 'carol', 'eng', 'ops', 'root', 'readme', 'o-1', 'ünïcödé', 'with space', 'a:b#c@d', '🙂');
export const namespaces = fc.constantFrom(...NAMESPACES);
export const relations = fc.constantFrom(...RELATIONS);

/** A tuple every fuzz server accepts (known namespaces, non-empty names). */
export const validTuple: fc.Arbitrary<KetoTuple> = fc.oneof(
  fc.record({ namespace: namespaces, object: ids, relation: relations, subject_id: ids }),
  fc.record({
    namespace: namespaces,
    object: ids,
    relation: relations,
    subject_set: fc.record({ namespace: namespaces, object: ids, relation: relations }),
  }),
);

/** One identity per stored row shape, to compare what was written with what is listed. */
export function tupleKey(t: KetoTuple): string {
  const s = t.subject_set;
  return JSON.stringify([t.namespace, t.object, t.relation, t.subject_id ?? null, s ? [s.namespace, s.object, s.relation] : null]);
}

/** A filter as DELETE /admin/relation-tuples takes it; absent keys do not filter. */
export interface TupleFilter {
  namespace: string;
  object?: string;
  relation?: string;
  subject_id?: string;
  subject_set?: { namespace: string; object: string; relation: string };
}

export function matches(filter: TupleFilter, t: KetoTuple): boolean {
  if (filter.namespace !== t.namespace) return false;
  if (filter.object !== undefined && filter.object !== t.object) return false;
  if (filter.relation !== undefined && filter.relation !== t.relation) return false;
  if (filter.subject_id !== undefined && filter.subject_id !== t.subject_id) return false;
  if (filter.subject_set !== undefined) {
    const s = t.subject_set;
    const f = filter.subject_set;
    if (s === undefined || s.namespace !== f.namespace || s.object !== f.object || s.relation !== f.relation) return false;
  }
  return true;
}

export function filterQuery(filter: TupleFilter): string {
  const params = new URLSearchParams({ namespace: filter.namespace });
  if (filter.object !== undefined) params.set('object', filter.object);
  if (filter.relation !== undefined) params.set('relation', filter.relation);
  if (filter.subject_id !== undefined) params.set('subject_id', filter.subject_id);
  if (filter.subject_set !== undefined) {
    params.set('subject_set.namespace', filter.subject_set.namespace);
    params.set('subject_set.object', filter.subject_set.object);
    params.set('subject_set.relation', filter.subject_set.relation);
  }
  return params.toString();
}

/** Multiset of stored tuples, as the store keeps them (duplicates are separate rows). */
export class TupleModel {
  readonly rows = new Map<string, { tuple: KetoTuple; count: number }>();

  insert(t: KetoTuple): void {
    const key = tupleKey(t);
    const row = this.rows.get(key);
    if (row) row.count++;
    else this.rows.set(key, { tuple: t, count: 1 });
  }

  /** Every row equal to the tuple goes (Keto deletes by value). */
  remove(t: KetoTuple): void {
    this.rows.delete(tupleKey(t));
  }

  removeMatching(filter: TupleFilter): void {
    for (const [key, row] of this.rows) if (matches(filter, row.tuple)) this.rows.delete(key);
  }

  get size(): number {
    let n = 0;
    for (const row of this.rows.values()) n += row.count;
    return n;
  }

  tuples(): KetoTuple[] {
    return [...this.rows.values()].map((r) => r.tuple);
  }

  counts(): Map<string, number> {
    return new Map([...this.rows].map(([k, r]) => [k, r.count]));
  }

  replaceWith(listed: KetoTuple[]): void {
    this.rows.clear();
    for (const t of listed) this.insert(t);
  }
}
