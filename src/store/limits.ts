import { invalidArgument } from '../errors.js';
import type { RelationQuery, RelationTuple, Subject } from '../tuple.js';

/** `keto_relation_tuples.namespace` and `subject_set_namespace` are VARCHAR(200). */
export const MAX_NAMESPACE_LENGTH = 200;
/** `keto_relation_tuples.relation` and `subject_set_relation` are VARCHAR(64). */
export const MAX_RELATION_LENGTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const characters = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

function checkText(field: string, value: string, max?: number): void {
  if (LONE_SURROGATE.test(value)) throw invalidArgument(`${field} is not valid UTF-8 text (it holds a lone surrogate)`);
  if (value.includes('\u0000')) throw invalidArgument(`${field} must not contain a NUL character`);
  if (max !== undefined && characters(value) > max) {
    throw invalidArgument(`${field} is longer than ${max} characters`);
  }
}

function checkSubject(subject: Subject, prefix: string): void {
  if ('id' in subject) return checkText(`${prefix}subject_id`, subject.id);
  checkText(`${prefix}subject_set.namespace`, subject.set.namespace, MAX_NAMESPACE_LENGTH);
  checkText(`${prefix}subject_set.object`, subject.set.object);
  checkText(`${prefix}subject_set.relation`, subject.set.relation, MAX_RELATION_LENGTH);
}

/** Rejects a tuple the schema cannot hold exactly, before any SQL runs. */
export function checkStorableTuple(tuple: RelationTuple): void {
  checkText('namespace', tuple.namespace, MAX_NAMESPACE_LENGTH);
  checkText('object', tuple.object);
  checkText('relation', tuple.relation, MAX_RELATION_LENGTH);
  checkSubject(tuple.subject, '');
}

export function checkStorableQuery(query: RelationQuery): void {
  if (query.namespace !== undefined) checkText('namespace', query.namespace, MAX_NAMESPACE_LENGTH);
  if (query.object !== undefined) checkText('object', query.object);
  if (query.relation !== undefined) checkText('relation', query.relation, MAX_RELATION_LENGTH);
  if (query.subject !== undefined) checkSubject(query.subject, '');
}
