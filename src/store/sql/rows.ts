import type { RelationTuple, Subject } from '../../tuple.js';

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
