/**
 * Keto's JSON relation tuple ⇄ the domain RelationTuple.
 *
 * Wire shape: `{"namespace","object","relation","subject_id"?,"subject_set"?:{"namespace","object","relation"}}`.
 * Bodies are read as Keto reads them: a missing or null string is "", so namespace, object
 * and relation may be empty (an empty namespace then fails as an unknown namespace); a tuple
 * with neither subject is refused, one with both keeps `subject_id`.
 */
import type { RelationTuple, Subject, SubjectSet } from '../tuple.js';
import { nilSubject } from './errors.js';
import { fieldPlace, goFieldFor, goString, goTypeError, isJsonObject, type GoJsonPlace } from './go-json.js';

export interface KetoSubjectSetJson {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
}

/** A decoded but not yet validated tuple body; both subjects or none may be present. */
export interface KetoTupleJson {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject_id?: string;
  readonly subject_set?: KetoSubjectSetJson;
}

const TUPLE_FIELDS = ['namespace', 'object', 'relation', 'subject_id', 'subject_set'] as const;
const SET_FIELDS = ['namespace', 'object', 'relation'] as const;

/**
 * Decodes one tuple from parsed JSON, checking every type. `place` says where the tuple sits
 * inside a larger body (e.g. `{struct: 'PatchDelta', fields: ['relation_tuple']}`) so type
 * errors name the same path Keto names; omit it for a tuple that is the whole body.
 * `null` decodes to the empty tuple, as in Keto. The result serialises as Keto echoes a
 * decoded body (PUT's response): keys in Keto's order, both subjects kept if both were sent.
 */
export function decodeKetoTuple(value: unknown, place?: GoJsonPlace): KetoTupleJson {
  if (value === null) return { namespace: '', object: '', relation: '' };
  if (!isJsonObject(value)) throw goTypeError(value, 'ketoapi.RelationTuple', place);
  const strings = { namespace: '', object: '', relation: '' };
  let subjectId: string | undefined;
  let subjectSet: KetoSubjectSetJson | undefined;
  for (const [key, v] of Object.entries(value)) {
    const field = goFieldFor(key, TUPLE_FIELDS);
    if (field === undefined) continue;
    const at = fieldPlace('RelationTuple', place, field);
    if (field === 'subject_set') subjectSet = v === null ? undefined : decodeSubjectSet(v, subjectSet, at);
    else if (field === 'subject_id') subjectId = v === null ? undefined : goString(v, '', at);
    else strings[field] = goString(v, strings[field], at);
  }
  return {
    ...strings,
    ...(subjectId === undefined ? {} : { subject_id: subjectId }),
    ...(subjectSet === undefined ? {} : { subject_set: subjectSet }),
  };
}

function decodeSubjectSet(value: unknown, current: KetoSubjectSetJson | undefined, place: GoJsonPlace): KetoSubjectSetJson {
  if (!isJsonObject(value)) throw goTypeError(value, 'ketoapi.SubjectSet', place);
  const s = { namespace: '', object: '', relation: '', ...current };
  for (const [key, v] of Object.entries(value)) {
    const field = goFieldFor(key, SET_FIELDS);
    if (field !== undefined) s[field] = goString(v, s[field], fieldPlace('SubjectSet', place, field));
  }
  return s;
}

/** Validates a decoded tuple: a subject is required; with both, `subject_id` wins. */
export function tupleFromKeto(t: KetoTupleJson): RelationTuple {
  let subject: Subject;
  if (t.subject_id !== undefined) subject = { id: t.subject_id };
  else if (t.subject_set !== undefined) subject = { set: { ...t.subject_set } };
  else throw nilSubject();
  return { namespace: t.namespace, object: t.object, relation: t.relation, subject };
}

/** decodeKetoTuple + tupleFromKeto: a request body (or part of one) that must be a full tuple. */
export const parseKetoTuple = (value: unknown, place?: GoJsonPlace): RelationTuple =>
  tupleFromKeto(decodeKetoTuple(value, place));

export const subjectSetToKeto = (s: SubjectSet): KetoSubjectSetJson => ({
  namespace: s.namespace,
  object: s.object,
  relation: s.relation,
});

/** The subject keys of a Keto tuple: `subject_id` or `subject_set`, none for no subject. */
export function subjectToKeto(
  s: Subject | undefined,
): { subject_id: string } | { subject_set: KetoSubjectSetJson } | Record<never, never> {
  if (s === undefined) return {};
  return 'id' in s ? { subject_id: s.id } : { subject_set: subjectSetToKeto(s.set) };
}

/** The Keto JSON of a tuple, keys in Keto's order, exactly one of `subject_id` / `subject_set`. */
export const tupleToKeto = (t: RelationTuple): KetoTupleJson => ({
  namespace: t.namespace,
  object: t.object,
  relation: t.relation,
  ...subjectToKeto(t.subject),
});

/** The body of `GET /relation-tuples`. */
export const relationTuplesPageToKeto = (tuples: readonly RelationTuple[], nextPageToken: string) => ({
  relation_tuples: tuples.map(tupleToKeto),
  next_page_token: nextPageToken,
});
