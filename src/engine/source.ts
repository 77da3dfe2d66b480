import type { ObjectRelation, Subject, SubjectSet } from '../tuple.js';
import type { NodeReads } from './node-reads.js';

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

/** A source that can also read by interned node ids (the in-memory index). */
export interface InterningSource extends TupleSource {
  /**
   * The same rows read by node, when every read can be answered that way right now (an
   * index that is warm and holds every namespace); asked once per check.
   */
  interned(): InternedReads | undefined;
}

/** The source's reads by node, when it has them now. */
export const internedReadsOf = (source: TupleSource): InternedReads | undefined =>
  'interned' in source ? (source as InterningSource).interned() : undefined;

/** The index's reads by node: every row at once, and the node of any subject. */
export interface InternedReads extends NodeReads {
  /** The node of `subject`, or -1 when no stored row names it. */
  subjectNode(subject: Subject): number;
}

/** Asks the source for every row: Keto's lookups are not truncated, only the expansions they feed. */
export const ALL_ROWS = Number.MAX_SAFE_INTEGER;
