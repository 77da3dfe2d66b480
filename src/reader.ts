import type { ObjectRelation, RelationTuple, Subject, SubjectSet } from './tuple.js';

/**
 * The one read interface of gatehouse's tuples: what the engine (and everything built on
 * it) reads, implemented by every SQL store and by the in-memory index, all passing one
 * shared suite. A reader is opened through `Readers.open` at a revision at least as new as
 * the consistency asked for; freshness is only the choice of that revision.
 */

export type MaybePromise<T> = T | Promise<T>;

/** Which revision a read must reflect at least. */
export type Consistency =
  /** The process's configured guarantee: Keto's read-your-writes (`index.max_staleness` 0), or the bounded staleness. */
  | { readonly kind: 'default' }
  /** Every write committed before the request arrived. */
  | { readonly kind: 'latest' }
  /** Every write up to `revision` (a revision some process of the database has committed). */
  | { readonly kind: 'at-least'; readonly revision: number };

export const DEFAULT_CONSISTENCY: Consistency = { kind: 'default' };

/** Where readers come from. */
export interface Readers {
  /** A reader whose answers reflect at least the revision `consistency` names; resolves once the data has reached it. */
  open(consistency: Consistency): MaybePromise<TupleSource>;
  /** The revision a reader opened now reflects at least. */
  revision(): MaybePromise<number>;
}

/**
 * The readers of a source whose reads always reflect every committed write (a SQL store,
 * which reads the database itself, or a fixed set of tuples): opening one never waits.
 */
export const currentReads = (source: TupleSource, revision: () => MaybePromise<number> = () => 0): Readers => ({
  open: () => source,
  revision,
});

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
  /**
   * For each key, every subject set stored on it in store order (as `subjectSets` with no
   * limit) and the order a traverse walks them, from one read. Keto reads a traverse's rows
   * with its listing query, whose keyset runs along the full index: by subject-set
   * namespace, then the subject-set object's stored UUID (UUIDv5 under the network id),
   * then relation, store order only among equal subject sets (`src/store/traverse-order.ts`).
   */
  orderedSubjectSets(keys: readonly ObjectRelation[]): MaybePromise<OrderedSets[]>;
  /** For each key, every subject stored on it (ids and sets), at most `limit` per key: what Expand lists. */
  subjects(keys: readonly ObjectRelation[], limit: number): MaybePromise<Subject[][]>;
  /**
   * For each subject, every distinct key (`namespace:object#relation`) on which it is
   * stored directly (a subject id, or exactly that subject set), only keys of `namespace`
   * when given, in no particular order (a lookup's walk orders what it finds itself).
   */
  keysOf(subjects: readonly Subject[], namespace?: string): MaybePromise<ObjectRelation[][]>;
  /**
   * The distinct objects of `namespace` that occur in a stored tuple (as its object or as a
   * subject set's object), in binary order: the first `range.limit` after `range.after`.
   */
  objectsIn(namespace: string, range: OrderedRange): MaybePromise<string[]>;
  /**
   * The distinct subjects stored as a tuple's subject, of one kind: subject ids (`kind`
   * undefined), or the subject sets of `kind.namespace` and `kind.relation`; in binary
   * order of the id (of the subject set's object): the first `range.limit` after `range.after`.
   */
  subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): MaybePromise<Subject[]>;
}

/** One step of a cursor over strings in binary order. */
export interface OrderedRange {
  /** Only strings after this one (all when undefined). */
  readonly after?: string;
  /** At most this many. */
  readonly limit: number;
}

/** A key's subject sets in store order, and the order in which a traverse walks them. */
export interface OrderedSets {
  /** Every subject set stored on the key (subject ids skipped), in store order. */
  readonly sets: readonly SubjectSet[];
  /** Indexes into `sets`, in the order a traverse walks them. */
  readonly traverse: readonly number[];
}

/** The subject sets of one namespace and relation. */
export interface SubjectSetKind {
  readonly namespace: string;
  readonly relation: string;
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

/** The index's reads by node: every row at once, the nodes of a check, the reverse edges and the kinds of stored subject sets. */
export interface InternedReads extends NodeReads {
  /** The nodes of `tuple`'s key and of its subject (each -1 when no stored row names it), into `out[0]` and `out[1]`. */
  checkNodes(tuple: RelationTuple, out: Int32Array): void;
  /** How many distinct key nodes store node `node` directly (as a subject id or a subject set). */
  holderCount(node: number): number;
  /** The `i`th of them. */
  holderAt(node: number, i: number): number;
  /** The kinds of subject set stored under keys of `namespace#relation`. */
  setKindsUnder(namespace: string, relation: string): SubjectSetKind[];
  /** Changes whenever `setKindsUnder` may answer differently. */
  readonly setKindsVersion: number;
}

/** Asks the source for every row: Keto's lookups are not truncated, only the expansions they feed. */
export const ALL_ROWS = Number.MAX_SAFE_INTEGER;

/**
 * What the evaluator reads, by node: a node is a `namespace:object#relation` (a key or a
 * subject set) or a subject id, numbered densely; a node keeps its number for the reads'
 * life. The in-memory index answers every read at once. A reader that fetches rows from a
 * database answers `UNREAD` for a row it does not hold yet, remembers what was asked, and
 * fetches it all in one batch when the evaluator pauses (`fetch`).
 */
export interface NodeReads {
  /** The node of `namespace:object#relation`, or -1 when no stored row names it. */
  setNode(namespace: string, object: string, relation: string): number;
  /** 1 when subject node `subject` is stored directly on key node `key`, 0 when not, UNREAD when not read yet. */
  direct(key: number, subject: number): number;
  /** How many subject-set rows key node `key` holds, or UNREAD. */
  subjectSetCount(key: number): number;
  /** The node of the `i`th subject-set row of key node `key`, in the store's order. */
  subjectSetAt(key: number, i: number): number;
  /** How many subject-set rows a traverse of key node `key` walks (the same rows), or UNREAD. */
  traverseCount(key: number): number;
  /** The node of the `i`th of them in the order a traverse walks them (`OrderedSets.traverse`). */
  traverseAt(key: number, i: number): number;
  namespaceOf(node: number): string;
  objectOf(node: number): string;
  relationOf(node: number): string;
  /**
   * Whether a hop that is about to visit several keys should ask for all of them first
   * (true once reading costs a round trip): the evaluator then touches the whole frontier
   * before walking it, so that one fetch answers it.
   */
  readonly prefetching: boolean;
}

/** A row not read yet. */
export const UNREAD = -1;
