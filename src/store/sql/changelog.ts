import type { RelationTuple } from '../../tuple.js';

/** A tuple in the changelog: [ns, object, relation, subjectId] or [ns, object, relation, setNs, setObject, setRelation]. */
type EncodedTuple = [string, string, string, string] | [string, string, string, string, string, string];

interface EncodedChanges {
  i: EncodedTuple[];
  d: EncodedTuple[];
}

const encodeTuple = (t: RelationTuple): EncodedTuple =>
  'id' in t.subject
    ? [t.namespace, t.object, t.relation, t.subject.id]
    : [t.namespace, t.object, t.relation, t.subject.set.namespace, t.subject.set.object, t.subject.set.relation];

const decodeTuple = (e: EncodedTuple): RelationTuple => ({
  namespace: e[0],
  object: e[1],
  relation: e[2],
  subject: e.length === 4 ? { id: e[3] } : { set: { namespace: e[3], object: e[4], relation: e[5] } },
});

export const encodeChanges = (inserted: readonly RelationTuple[], deleted: readonly RelationTuple[]): string =>
  JSON.stringify({ i: inserted.map(encodeTuple), d: deleted.map(encodeTuple) } satisfies EncodedChanges);

export function decodeChanges(text: string): { inserted: RelationTuple[]; deleted: RelationTuple[] } {
  const changes = JSON.parse(text) as EncodedChanges;
  return { inserted: changes.i.map(decodeTuple), deleted: changes.d.map(decodeTuple) };
}
