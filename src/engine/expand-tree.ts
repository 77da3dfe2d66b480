/**
 * The expand tree as the expand engine builds it: a node's type, the tuple it stands for and
 * its children. Its wire forms (Keto's REST JSON, the `SubjectTree` proto message) are in
 * src/api/expand-tree.ts.
 *
 * A node's subject travels in `tuple.subject`; Keto leaves the tuple's namespace, object
 * and relation empty, and a compound rewrite nested in another has no subject at all.
 */
import type { Subject } from '../tuple.js';

export type ExpandNodeType =
  | 'union'
  | 'exclusion'
  | 'intersection'
  | 'leaf'
  | 'tuple_to_subject_set'
  | 'computed_subject_set'
  | 'not'
  | 'unspecified';

export interface ExpandTreeTuple {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject?: Subject;
}

export interface ExpandTree {
  readonly type: ExpandNodeType;
  readonly tuple?: ExpandTreeTuple;
  readonly children: readonly ExpandTree[];
}

/** A node as Keto's expand engine makes it: the subject only, namespace/object/relation left empty. */
export function expandNode(type: ExpandNodeType, subject: Subject | undefined, children: readonly ExpandTree[] = []): ExpandTree {
  const empty = { namespace: '', object: '', relation: '' };
  return { type, tuple: subject === undefined ? empty : { ...empty, subject }, children };
}
