/**
 * The parameters of gatehouse's lookups, `GET /relation-tuples/list-objects` and
 * `GET /relation-tuples/list-subjects`, from a URL query: the subject is given exactly as a
 * check takes it; `page_size` defaults to 100 and is at most 1000.
 */
import type { SubjectSetKind } from '../reader.js';
import type { Subject } from '../tuple.js';
import { badRequest, nilSubject } from './errors.js';
import { goAtoi } from './go-number.js';
import { subjectFromUrlQuery } from './url-query.js';

export const DEFAULT_LOOKUP_PAGE_SIZE = 100;
export const MAX_LOOKUP_PAGE_SIZE = 1000;

export interface ListObjectsParams {
  readonly namespace: string;
  readonly relation: string;
  readonly subject: Subject;
}

export interface ListSubjectsParams {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  /** Subject sets of this namespace and relation; subject ids when absent. */
  readonly kind?: SubjectSetKind;
}

function required(q: URLSearchParams, ...keys: string[]): string[] {
  const missing = keys.filter((k) => !q.has(k));
  if (missing.length > 0) throw badRequest(`missing query parameter: ${missing.join(', ')}`);
  return keys.map((k) => q.get(k)!);
}

export function listObjectsFromUrlQuery(q: URLSearchParams): ListObjectsParams {
  const [namespace, relation] = required(q, 'namespace', 'relation') as [string, string];
  const subject = subjectFromUrlQuery(q);
  if (subject === undefined) throw nilSubject();
  return { namespace, relation, subject };
}

export function listSubjectsFromUrlQuery(q: URLSearchParams): ListSubjectsParams {
  const [namespace, object, relation] = required(q, 'namespace', 'object', 'relation') as [string, string, string];
  const subjectNamespace = q.get('subject_namespace');
  if (subjectNamespace === null) {
    if (q.has('subject_relation')) throw badRequest('subject_relation needs subject_namespace');
    return { namespace, object, relation };
  }
  return { namespace, object, relation, kind: { namespace: subjectNamespace, relation: q.get('subject_relation') ?? '' } };
}

/** `page_size`: a decimal number (anything else is a 400); ≤ 0 or absent → 100, above 1000 → 1000. */
export function lookupPageSize(q: URLSearchParams): number {
  const raw = q.get('page_size');
  if (raw === null || raw === '') return DEFAULT_LOOKUP_PAGE_SIZE;
  const parsed = goAtoi(raw);
  if (!parsed.ok) throw badRequest(parsed.error);
  return parsed.value <= 0 ? DEFAULT_LOOKUP_PAGE_SIZE : Math.min(parsed.value, MAX_LOOKUP_PAGE_SIZE);
}
