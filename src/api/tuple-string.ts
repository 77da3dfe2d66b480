/**
 * The human-readable forms used by the CLI, logs and test corpora:
 *   tuple   `namespace:object#relation@subject`
 *   subject `id` (no `:`), `namespace:object` (empty relation) or `namespace:object#relation`.
 * Parsing cuts at the first `:`, then the first `#`, then the first `@`; the subject may be
 * wrapped in `(`/`)` and a trailing `#` means an empty relation.
 */
import type { RelationTuple, Subject, SubjectSet } from '../tuple.js';
import { malformedString } from './errors.js';

/** Go's strings.Cut: the text before and after the first `sep`, or undefined when absent. */
function cut(s: string, sep: string): [string, string] | undefined {
  const i = s.indexOf(sep);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + sep.length)];
}

/** `namespace:object[#relation]`; without `#` (or with a trailing one) the relation is "". */
export function parseSubjectSet(s: string): SubjectSet {
  const [namespaceAndObject, relation] = cut(s, '#') ?? [s, ''];
  const parts = cut(namespaceAndObject, ':');
  if (parts === undefined) throw malformedString("expected subject set to contain ':'");
  return { namespace: parts[0], object: parts[1], relation };
}

/** A subject: a subject set when it contains `:`, otherwise a subject id (the CLI's rule). */
export const parseSubject = (s: string): Subject => (s.includes(':') ? { set: parseSubjectSet(s) } : { id: s });

/** `namespace:object#relation@subject`, as Keto parses it. */
export function parseTupleString(s: string): RelationTuple {
  const first = cut(s, ':');
  if (first === undefined) throw malformedString("expected input to contain ':'");
  const second = cut(first[1], '#');
  if (second === undefined) throw malformedString("expected input to contain '#'");
  const third = cut(second[1], '@');
  if (third === undefined) throw malformedString("expected input to contain '@'");
  const subject = third[1].replace(/^[()]+|[()]+$/g, '');
  return { namespace: first[0], object: second[0], relation: third[0], subject: parseSubject(subject) };
}

/** `namespace:object#relation`, or `namespace:object` when the relation is empty. */
export const formatSubjectSet = (s: SubjectSet): string =>
  s.relation === '' ? `${s.namespace}:${s.object}` : `${s.namespace}:${s.object}#${s.relation}`;

export const formatSubject = (s: Subject): string => ('id' in s ? s.id : formatSubjectSet(s.set));

export const formatTuple = (t: RelationTuple): string =>
  `${t.namespace}:${t.object}#${t.relation}@${formatSubject(t.subject)}`;
