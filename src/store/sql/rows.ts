import type { RelationTuple, Subject } from '../../tuple.js';

/** The columns of a tuple read with its strings: object and subject UUIDs joined to their mappings. */
export const TUPLE_COLUMNS = `t.shard_id, t.namespace, t.relation, t.subject_id AS subject_uuid,
  t.subject_set_namespace, t.subject_set_relation,
  mo.string_representation AS object_text, ms.string_representation AS subject_text,
  mss.string_representation AS subject_set_object_text`;

export const TUPLE_JOINS = `LEFT JOIN keto_uuid_mappings mo ON mo.id = t.object
  LEFT JOIN keto_uuid_mappings ms ON ms.id = t.subject_id
  LEFT JOIN keto_uuid_mappings mss ON mss.id = t.subject_set_object`;

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
