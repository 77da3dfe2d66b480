/**
 * URL query keys ⇄ RelationQuery / RelationTuple / SubjectSet.
 *
 * Keys: `namespace`, `object`, `relation`, `subject_id`, `subject_set.namespace`,
 * `subject_set.object`, `subject_set.relation`. A key that is present counts even when its
 * value is empty; the first value of a repeated key wins. The subject is `subject_id` or all
 * three `subject_set.*` keys, never both; the legacy `subject` key is refused.
 */
import type { RelationQuery, RelationTuple, Subject, SubjectSet } from '../tuple.js';
import {
  badRequestWithReason,
  droppedSubjectKey,
  duplicateSubject,
  incompleteSubject,
  incompleteTuple,
  nilSubject,
} from './errors.js';
import { goQuote } from './go-number.js';

const SUBJECT_SET_KEYS = ['subject_set.namespace', 'subject_set.object', 'subject_set.relation'] as const;

/** Every key a relation query may carry (`subject` is listed so that it gets its own error). */
export const RELATION_QUERY_KEYS = ['namespace', 'object', 'relation', 'subject_id', ...SUBJECT_SET_KEYS, 'subject'] as const;

/** The subject of a query: `subject_id`, or the three `subject_set.*` keys; undefined when none is given. */
export function subjectFromUrlQuery(q: URLSearchParams): Subject | undefined {
  if (q.has('subject')) throw droppedSubjectKey();
  const hasId = q.has('subject_id');
  const setKeys = SUBJECT_SET_KEYS.filter((k) => q.has(k)).length;
  if (hasId && setKeys > 0) throw duplicateSubject();
  if (hasId) return { id: q.get('subject_id')! };
  if (setKeys === 0) return undefined;
  if (setKeys < SUBJECT_SET_KEYS.length) throw incompleteSubject();
  const [namespace, object, relation] = SUBJECT_SET_KEYS.map((k) => q.get(k)!) as [string, string, string];
  return { set: { namespace, object, relation } };
}

/** A filter from the query (GET and DELETE /relation-tuples); absent keys do not filter. */
export function relationQueryFromUrlQuery(q: URLSearchParams): RelationQuery {
  const subject = subjectFromUrlQuery(q);
  const query: { namespace?: string; object?: string; relation?: string; subject?: Subject } = {};
  if (q.has('namespace')) query.namespace = q.get('namespace')!;
  if (q.has('object')) query.object = q.get('object')!;
  if (q.has('relation')) query.relation = q.get('relation')!;
  if (subject !== undefined) query.subject = subject;
  return query;
}

/** A full tuple from the query (GET /relation-tuples/check); every key must be present (values may be empty). */
export function relationTupleFromUrlQuery(q: URLSearchParams): RelationTuple {
  const { namespace, object, relation, subject } = relationQueryFromUrlQuery(q);
  if (subject === undefined) throw nilSubject();
  if (namespace === undefined || object === undefined || relation === undefined) throw incompleteTuple();
  return { namespace, object, relation, subject };
}

/** The subject set of GET /relation-tuples/expand: missing keys read as "". */
export const subjectSetFromUrlQuery = (q: URLSearchParams): SubjectSet => ({
  namespace: q.get('namespace') ?? '',
  object: q.get('object') ?? '',
  relation: q.get('relation') ?? '',
});

/**
 * The extra checks of DELETE /admin/relation-tuples: only relation query keys, `namespace`
 * present, empty body. All failures are reported together in Keto's `reason`.
 */
export function validateDeleteQuery(q: URLSearchParams, body: Uint8Array): void {
  const reasons: string[] = [];
  const unknown = [...q.keys()].find((k) => !(RELATION_QUERY_KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) reasons.push(`query parameter key ${goQuote(unknown)} unknown`);
  if (!q.has('namespace')) reasons.push('query parameters must specify at least one of the following: namespace');
  if (body.length > 0) reasons.push('body is not empty');
  if (reasons.length > 0) throw badRequestWithReason(reasons.join('; '));
}

/** Go's url.QueryEscape: unreserved bytes stay, space becomes `+`, every other UTF-8 byte `%XX`. */
export function goQueryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The query string of a filter, keys sorted as Keto sorts them (no leading `?`). */
export function relationQueryToUrlQuery(query: RelationQuery): string {
  const pairs: [string, string][] = [];
  if (query.namespace !== undefined) pairs.push(['namespace', query.namespace]);
  if (query.object !== undefined) pairs.push(['object', query.object]);
  if (query.relation !== undefined) pairs.push(['relation', query.relation]);
  if (query.subject !== undefined) {
    if ('id' in query.subject) pairs.push(['subject_id', query.subject.id]);
    else {
      const { namespace, object, relation } = query.subject.set;
      pairs.push(['subject_set.namespace', namespace], ['subject_set.object', object], ['subject_set.relation', relation]);
    }
  }
  return pairs.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join('&');
}

export const relationTupleToUrlQuery = (t: RelationTuple): string => relationQueryToUrlQuery(t);

/** The `Location` header of PUT /admin/relation-tuples. */
export const relationTupleLocation = (t: RelationTuple): string => `/relation-tuples?${relationTupleToUrlQuery(t)}`;
