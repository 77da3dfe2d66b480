import type { OrderedSets } from '../reader.js';
import { compareBinary, type SubjectSet } from '../tuple.js';
import { uuidV5 } from './uuid.js';

/**
 * The order in which a traverse (tuple to subject set) walks the subject sets stored on
 * `namespace:object#relation`.
 *
 * Keto's TraverseStep pages through GetRelationTuples; constrained on namespace, object and
 * relation, its keyset runs along the full index, `ORDER BY namespace, object, relation,
 * subject_id, subject_set_namespace, subject_set_object, subject_set_relation, commit_time,
 * shard_id` (ory/keto: internal/persistence/sql/persister.go `fullIdxPlan`). So the rows
 * come by subject-set namespace, then by the subject-set object's stored UUID (UUIDv5 of the
 * object under the network id), then relation; rows of equal subject sets keep store order.
 * A subject-set expansion reads by shard_id instead (store order), and so does gatehouse.
 *
 * The order decides which target a traverse descends into first, and so whether a check
 * through a cyclic traverse finds its answer before one path uses up the call budget.
 */

/** The network id gatehouse orders by where no store names one (an index or source on its own): Keto's tests map strings under it too. */
export const NIL_NETWORK_ID = '00000000-0000-0000-0000-000000000000';

/** A subject set with the UUID its object is stored as. */
export interface TraverseRow {
  readonly namespace: string;
  readonly objectId: string;
  readonly relation: string;
}

export const compareTraverseRows = (a: TraverseRow, b: TraverseRow): number =>
  compareBinary(a.namespace, b.namespace) || compareBinary(a.objectId, b.objectId) || compareBinary(a.relation, b.relation);

/** Indexes into `rows` (in store order) in traverse order; a stable sort, so equal sets keep store order. */
export function traverseOrder(rows: readonly TraverseRow[]): number[] {
  return rows.map((_, i) => i).sort((i, j) => compareTraverseRows(rows[i]!, rows[j]!) || i - j);
}

/** `sets` (in store order) with their traverse order under `networkId`. */
export function orderedSets(sets: readonly SubjectSet[], networkId: string): OrderedSets {
  return { sets, traverse: traverseOrder(sets.map((set) => ({ namespace: set.namespace, objectId: uuidV5(networkId, set.object), relation: set.relation }))) };
}
