/**
 * `ory.keto.relation_tuples.v1alpha2` messages as protobufjs plain objects (camelCase,
 * `defaults: true`, `oneofs: true`) ⇄ domain values.
 *
 * Presence: an unset message field is `null`; an unset proto3 `optional` scalar (the fields
 * of RelationQuery) is absent; a Subject's oneof names its set member in `ref`. Requests are
 * read defensively: a field of the wrong type counts as unset.
 */
import type { RelationQuery, RelationTuple, Subject, SubjectSet } from '../tuple.js';
import { badRequest, badRequestWithReason, nilSubject } from './errors.js';
import { isJsonObject } from './go-json.js';
import { subjectToKeto, tupleFromKeto, type KetoTupleJson } from './keto-json.js';

type Message = Record<string, unknown>;

const message = (v: unknown): Message | undefined => (isJsonObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const present = (v: unknown): v is string => typeof v === 'string';

function subjectSetFromProto(m: Message): SubjectSet {
  return { namespace: str(m.namespace), object: str(m.object), relation: str(m.relation) };
}

/** The subject of a Subject message; undefined when the message or its oneof is unset. */
export function subjectFromProto(msg: unknown): Subject | undefined {
  const m = message(msg);
  if (m === undefined) return undefined;
  const ref = m.ref ?? (present(m.id) ? 'id' : message(m.set) !== undefined ? 'set' : undefined);
  if (ref === 'id') return present(m.id) ? { id: m.id } : undefined;
  const set = message(m.set);
  if (ref === 'set' && set !== undefined) return { set: subjectSetFromProto(set) };
  return undefined;
}

export function subjectToProto(s: Subject): object {
  return 'id' in s ? { id: s.id } : { set: { namespace: s.set.namespace, object: s.set.object, relation: s.set.relation } };
}

/** A RelationTuple message (or the deprecated top-level fields of CheckRequest), unvalidated. */
export function ketoTupleFromProto(msg: unknown): KetoTupleJson {
  const m = message(msg) ?? {};
  const subject = subjectToKeto(subjectFromProto(m.subject));
  return { namespace: str(m.namespace), object: str(m.object), relation: str(m.relation), ...subject };
}

/** A RelationTuple message that must carry a subject (`subject is not allowed to be nil`). */
export const tupleFromProto = (msg: unknown): RelationTuple => tupleFromKeto(ketoTupleFromProto(msg));

export function tupleToProto(t: RelationTuple): object {
  return { namespace: t.namespace, object: t.object, relation: t.relation, subject: subjectToProto(t.subject) };
}

/** The filter of a query message whose string fields count when `isSet` says so. */
function queryFromMessage(m: Message, isSet: (v: unknown) => v is string): RelationQuery {
  const query: { namespace?: string; object?: string; relation?: string; subject?: Subject } = {};
  for (const key of ['namespace', 'object', 'relation'] as const) {
    const value = m[key];
    if (isSet(value)) query[key] = value;
  }
  const subject = subjectFromProto(m.subject);
  if (subject !== undefined) query.subject = subject;
  return query;
}

/** A RelationQuery message: every field is optional and only a present one filters, "" included. */
export const relationQueryFromProto = (msg: unknown): RelationQuery => queryFromMessage(message(msg) ?? {}, present);

export function relationQueryToProto(q: RelationQuery): object {
  const out: Record<string, unknown> = {};
  if (q.namespace !== undefined) out.namespace = q.namespace;
  if (q.object !== undefined) out.object = q.object;
  if (q.relation !== undefined) out.relation = q.relation;
  if (q.subject !== undefined) out.subject = subjectToProto(q.subject);
  return out;
}

/** CheckRequest: `tuple` when set, else the deprecated top-level namespace/object/relation/subject. */
export function checkRequestTuple(msg: unknown): RelationTuple {
  const m = message(msg) ?? {};
  return tupleFromProto(message(m.tuple) ?? m);
}

/** `relation_query`, else the deprecated `query` (plain strings, "" meaning unset), else undefined. */
function requestQuery(msg: unknown): RelationQuery | undefined {
  const m = message(msg) ?? {};
  const query = message(m.relationQuery);
  if (query !== undefined) return queryFromMessage(query, present);
  const legacy = message(m.query);
  return legacy === undefined ? undefined : queryFromMessage(legacy, (v): v is string => present(v) && v !== '');
}

/** ListRelationTuplesRequest's filter. */
export function listRequestQuery(msg: unknown): RelationQuery {
  const query = requestQuery(msg);
  if (query === undefined) throw badRequest('you must provide a query');
  return query;
}

/** DeleteRelationTuplesRequest's filter. */
export function deleteRequestQuery(msg: unknown): RelationQuery {
  const query = requestQuery(msg);
  if (query === undefined) throw badRequestWithReason('invalid request');
  return query;
}

/** TransactRelationTuplesRequest: the inserts and the deletes; deltas with ACTION_UNSPECIFIED are ignored. */
export function transactRequestDeltas(msg: unknown): { insert: RelationTuple[]; delete: RelationTuple[] } {
  const m = message(msg) ?? {};
  const deltas = (Array.isArray(m.relationTupleDeltas) ? m.relationTupleDeltas : []).map((d) => message(d) ?? {});
  const withAction = (name: string, value: number) =>
    deltas.filter((d) => d.action === name || d.action === value).map((d) => tupleFromProto(d.relationTuple));
  const insert = withAction('ACTION_INSERT', 1);
  return { insert, delete: withAction('ACTION_DELETE', 2) };
}

/** ExpandRequest: the subject to expand (a subject id expands to a single leaf). */
export function expandRequestSubject(msg: unknown): Subject {
  const subject = subjectFromProto(message(msg)?.subject);
  if (subject === undefined) throw nilSubject();
  return subject;
}

/** `max_depth` of Check, BatchCheck and Expand requests; 0 means the configured limit. */
export function maxDepthFromProto(msg: unknown): number {
  const depth = message(msg)?.maxDepth;
  return typeof depth === 'number' && Number.isFinite(depth) ? Math.trunc(depth) : 0;
}
