import type { RelationTuple, Subject } from '../../tuple.js';
import type { UuidStrings } from './uuid-strings.js';

/** The string a UUID column maps to, looked up row by row (a plan that cannot read the whole mapping table per page). */
const stringOf = (uuid: string) => `(SELECT m.string_representation FROM keto_uuid_mappings m WHERE m.id = ${uuid})`;

/**
 * The columns of a tuple read with its strings, over `t`: a selection of whole
 * keto_relation_tuples rows, already limited, so that only the rows returned are looked up.
 */
export const TUPLE_COLUMNS = `t.shard_id, t.namespace, t.relation, t.subject_id AS subject_uuid,
  t.subject_set_namespace, t.subject_set_relation, ${stringOf('t.object')} AS object_text,
  ${stringOf('t.subject_id')} AS subject_text, ${stringOf('t.subject_set_object')} AS subject_set_object_text`;

export interface TupleRow {
  [column: string]: unknown;
  shard_id: string;
  namespace: string;
  relation: string;
  subject_uuid: string | null;
  subject_set_namespace: string | null;
  subject_set_relation: string | null;
  object_text: string | null;
  subject_text: string | null;
  subject_set_object_text: string | null;
}

/** A row back to a tuple. A UUID with no mapping reads as "" (Keto answers the same). */
export function tupleOf(row: TupleRow): RelationTuple {
  const subject: Subject =
    row.subject_uuid !== null
      ? { id: row.subject_text ?? '' }
      : {
          set: {
            namespace: row.subject_set_namespace ?? '',
            object: row.subject_set_object_text ?? '',
            relation: row.subject_set_relation ?? '',
          },
        };
  return { namespace: row.namespace, object: row.object_text ?? '', relation: row.relation, subject };
}

/** The columns of a walk's page: a tuple with its UUIDs, the strings looked up in a `UuidStrings`. */
export const WALK_COLUMNS = `t.shard_id, t.namespace, t.object, t.relation, t.subject_id,
  t.subject_set_namespace, t.subject_set_object, t.subject_set_relation`;

/** A row of a walk's page: the values of WALK_COLUMNS, in their order (read as an array, no object per row). */
export type WalkRow = readonly unknown[];

/** Where each of WALK_COLUMNS stands in a WalkRow. */
export const WALK_SHARD_ID = 0;
const NAMESPACE = 1;
const OBJECT = 2;
const RELATION = 3;
const SUBJECT_ID = 4;
const SET_NAMESPACE = 5;
const SET_OBJECT = 6;
const SET_RELATION = 7;

/**
 * The tuples of a walk's page, or undefined when `strings` lacks one of their UUIDs (or one
 * is not in canonical form, which a join compares otherwise).
 */
export function walkedTuples(rows: readonly WalkRow[], strings: UuidStrings): RelationTuple[] | undefined {
  const tuples: RelationTuple[] = [];
  for (const row of rows) {
    const object = strings.getText(row[OBJECT]);
    if (object === undefined) return undefined;
    let subject: Subject;
    if (row[SUBJECT_ID] !== null) {
      const id = strings.getText(row[SUBJECT_ID]);
      if (id === undefined) return undefined;
      subject = { id };
    } else {
      const setObject = strings.getText(row[SET_OBJECT]);
      if (setObject === undefined) return undefined;
      subject = { set: { namespace: (row[SET_NAMESPACE] as string | null) ?? '', object: setObject, relation: (row[SET_RELATION] as string | null) ?? '' } };
    }
    tuples.push({ namespace: row[NAMESPACE] as string, object, relation: row[RELATION] as string, subject });
  }
  return tuples;
}
