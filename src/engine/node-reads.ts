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

/** The reads of one check that may pause for rows: they fetch what was asked for and found unread. */
export interface FetchingNodeReads extends NodeReads {
  /** Reads every row asked for and found unread since the last fetch. */
  fetch(): void | Promise<void>;
}
