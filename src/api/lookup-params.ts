/**
 * The parameters of gatehouse's lookups, from a URL query (`GET /relation-tuples/list-objects`
 * and `GET /relation-tuples/list-subjects`) or a `gatehouse.v1.LookupService` request: the
 * subject is given exactly as a check takes it; `page_size` defaults to 100 and is at most 1000.
 */
import type { SubjectSetKind } from '../reader.js';
import type { Subject } from '../tuple.js';
import { badRequest, nilSubject } from './errors.js';
import { isJsonObject } from './go-json.js';
import { goAtoi } from './go-number.js';
import { maxDepthFromProto, subjectFromProto } from './proto.js';
import { maxDepthFromUrlQuery } from './request-params.js';
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
  return withKind({ namespace, object, relation }, q.get('subject_namespace') ?? undefined, q.get('subject_relation') ?? undefined);
}

function withKind(params: ListSubjectsParams, subjectNamespace: string | undefined, subjectRelation: string | undefined): ListSubjectsParams {
  if (subjectNamespace === undefined) {
    if (subjectRelation !== undefined) throw badRequest('subject_relation needs subject_namespace');
    return params;
  }
  return { ...params, kind: { namespace: subjectNamespace, relation: subjectRelation ?? '' } };
}

/** What a lookup request carries besides its parameters: the page it asks for and the max-depth of its checks. */
export interface LookupPaging {
  readonly maxDepth: number;
  readonly pageSize: number;
  /** "" for the first page. */
  readonly pageToken: string;
}

export const lookupPagingFromUrlQuery = (q: URLSearchParams): LookupPaging => ({
  maxDepth: maxDepthFromUrlQuery(q),
  pageSize: lookupPageSize(q),
  pageToken: q.get('page_token') ?? '',
});

type Message = Record<string, unknown>;
const message = (v: unknown): Message => (isJsonObject(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optionalStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `gatehouse.v1.ListObjectsRequest` (protobufjs plain object): the subject is a Keto Subject message. */
export function listObjectsFromProto(msg: unknown): ListObjectsParams {
  const m = message(msg);
  const subject = subjectFromProto(m.subject);
  if (subject === undefined) throw nilSubject();
  return { namespace: str(m.namespace), relation: str(m.relation), subject };
}

/** `gatehouse.v1.ListSubjectsRequest`: `subject_namespace` and `subject_relation` are proto3 optional, as the query keys. */
export function listSubjectsFromProto(msg: unknown): ListSubjectsParams {
  const m = message(msg);
  const params = { namespace: str(m.namespace), object: str(m.object), relation: str(m.relation) };
  return withKind(params, optionalStr(m.subjectNamespace), optionalStr(m.subjectRelation));
}

export function lookupPagingFromProto(msg: unknown): LookupPaging {
  const m = message(msg);
  return {
    maxDepth: maxDepthFromProto(m),
    pageSize: clampLookupPageSize(typeof m.pageSize === 'number' ? m.pageSize : 0),
    pageToken: str(m.pageToken),
  };
}

/** `page_size`: a decimal number (anything else is a 400); ≤ 0 or absent → 100, above 1000 → 1000. */
function lookupPageSize(q: URLSearchParams): number {
  const raw = q.get('page_size');
  if (raw === null || raw === '') return DEFAULT_LOOKUP_PAGE_SIZE;
  const parsed = goAtoi(raw);
  if (!parsed.ok) throw badRequest(parsed.error);
  return clampLookupPageSize(parsed.value);
}

const clampLookupPageSize = (requested: number): number =>
  requested <= 0 ? DEFAULT_LOOKUP_PAGE_SIZE : Math.min(requested, MAX_LOOKUP_PAGE_SIZE);
