import type { RelationTuple } from '../src/tuple.js';
import { methodDefinition } from '../test/server/grpc-clients.js';

/** How the throughput benchmarks ask a check over REST and over gRPC. */

export const CHECK_SERVICE = 'ory.keto.relation_tuples.v1alpha2.CheckService';
export const checkDefinition = methodDefinition(
  `/${CHECK_SERVICE}/Check`,
  'ory.keto.relation_tuples.v1alpha2.CheckRequest',
  'ory.keto.relation_tuples.v1alpha2.CheckResponse',
);

/** `GET /relation-tuples/check?…` for a tuple whose subject is an id or a set. */
export function restCheckPath(t: RelationTuple): string {
  const q = new URLSearchParams({ namespace: t.namespace, object: t.object, relation: t.relation });
  if ('id' in t.subject) q.set('subject_id', t.subject.id);
  else {
    q.set('subject_set.namespace', t.subject.set.namespace);
    q.set('subject_set.object', t.subject.set.object);
    q.set('subject_set.relation', t.subject.set.relation);
  }
  return `/relation-tuples/check/openapi?${q}`;
}

/** The CheckRequest message (plain object form) for a tuple. */
export function grpcCheckRequest(t: RelationTuple): object {
  const subject = 'id' in t.subject ? { id: t.subject.id } : { set: t.subject.set };
  return { tuple: { namespace: t.namespace, object: t.object, relation: t.relation, subject } };
}
