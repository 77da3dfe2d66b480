import type { ObjectRelation, Subject, SubjectSet } from '../tuple.js';

export type MaybePromise<T> = T | Promise<T>;

/**
 * What the engine needs to read, and nothing more. Answered by the SQL stores
 * (one query per call, whatever the number of keys) and by the in-memory index
 * (synchronously). Every method takes a whole frontier of keys at once.
 * Order is the store's stable order (the order a keyset page would return).
 */
export interface TupleSource {
  /** For each key, whether `subject` is stored directly on it (exact match, subject sets included). */
  hasSubject(keys: readonly ObjectRelation[], subject: Subject): MaybePromise<boolean[]>;
  /** For each key, the subject sets stored on it (subject ids skipped), at most `limit` per key. */
  subjectSets(keys: readonly ObjectRelation[], limit: number): MaybePromise<SubjectSet[][]>;
  /** Every subject stored on `key` (ids and sets), at most `limit`: what Expand lists. */
  subjects(key: ObjectRelation, limit: number): MaybePromise<Subject[]>;
}
