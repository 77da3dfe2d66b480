import grpc from '@grpc/grpc-js';
import { messageType } from '../src/transport/grpc/schema.js';
import type { RelationTuple } from '../src/tuple.js';

/** How the throughput benchmarks ask a check over REST and over gRPC. */

export const CHECK_SERVICE = 'ory.keto.relation_tuples.v1alpha2.CheckService';
export const CHECK_PATH = `/${CHECK_SERVICE}/Check`;
/** A grpc-js definition of a unary method, coded with gatehouse's message types. */
export function unaryDefinition(path: string, requestType: string, responseType: string): grpc.MethodDefinition<object, object> {
  const request = messageType(requestType);
  const response = messageType(responseType);
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: object) => Buffer.from(request.encode(request.fromObject(v)).finish()),
    requestDeserialize: (b: Buffer) => request.toObject(request.decode(b)),
    responseSerialize: (v: object) => Buffer.from(response.encode(response.fromObject(v)).finish()),
    responseDeserialize: (b: Buffer) => response.toObject(response.decode(b)),
  };
}

export const checkDefinition = unaryDefinition(
  CHECK_PATH,
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
