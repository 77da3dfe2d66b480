import type { OrderedRange, OrderedSets, SubjectSetKind } from '../../src/reader.js';
import { inRange } from '../support/ordered-range.js';
import {
  compareBinary,
  subjectEquals,
  type ObjectRelation,
  type RelationTuple,
  type Subject,
  type SubjectSet,
} from '../../src/tuple.js';
import { NIL_NETWORK_ID, orderedSets } from '../../src/store/traverse-order.js';

/** Orders keys by namespace, object, relation, each in binary order. */
export const compareKeys = (a: ObjectRelation, b: ObjectRelation): number =>
  compareBinary(a.namespace, b.namespace) || compareBinary(a.object, b.object) || compareBinary(a.relation, b.relation);

/** keysOf's answer in that order (a source gives the keys in no particular order). */
export const sortedKeysOf = (answer: readonly (readonly ObjectRelation[])[]): ObjectRelation[][] => answer.map((keys) => [...keys].sort(compareKeys));


const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sameKey = (t: RelationTuple, k: ObjectRelation) =>
  t.namespace === k.namespace && t.object === k.object && t.relation === k.relation;

/** The obviously-correct model of a store's rows that the index is compared with. */
export class NaiveRows {
  private rows: { readonly tuple: RelationTuple }[] = [];

  insert(tuple: RelationTuple): void {
    this.rows.push({ tuple });
  }

  delete(t: RelationTuple): number {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(sameKey(r.tuple, t) && subjectEquals(r.tuple.subject, t.subject)));
    return before - this.rows.length;
  }

  dropNamespace(ns: string): void {
    this.rows = this.rows.filter((r) => r.tuple.namespace !== ns);
  }

  get size(): number {
    return this.rows.length;
  }

  rowsIn(ns: string): number {
    return this.rows.filter((r) => r.tuple.namespace === ns).length;
  }

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): boolean[] {
    return keys.map((k) => this.rows.some((r) => sameKey(r.tuple, k) && subjectEquals(r.tuple.subject, subject)));
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): SubjectSet[][] {
    return keys.map((k) =>
      this.ordered(k)
        .flatMap((t) => ('set' in t.subject ? [t.subject.set] : []))
        .slice(0, limit),
    );
  }

  orderedSubjectSets(keys: readonly ObjectRelation[], networkId = NIL_NETWORK_ID): OrderedSets[] {
    return keys.map((k) => orderedSets(this.subjectSets([k], Number.MAX_SAFE_INTEGER)[0]!, networkId));
  }

  subjects(keys: readonly ObjectRelation[], limit: number): Subject[][] {
    return keys.map((key) =>
      this.ordered(key)
        .map((t) => t.subject)
        .slice(0, limit),
    );
  }

  keysOf(subjects: readonly Subject[], namespace?: string): ObjectRelation[][] {
    return subjects.map((subject) => {
      const seen = new Map<string, ObjectRelation>();
      for (const { tuple: t } of this.rows) {
        if (!subjectEquals(t.subject, subject) || (namespace !== undefined && t.namespace !== namespace)) continue;
        seen.set(JSON.stringify([t.namespace, t.object, t.relation]), { namespace: t.namespace, object: t.object, relation: t.relation });
      }
      return [...seen.values()].sort(compareKeys);
    });
  }

  objectsIn(namespace: string, range: OrderedRange): string[] {
    const objects = new Set<string>();
    for (const { tuple: t } of this.rows) {
      if (t.namespace === namespace) objects.add(t.object);
      if ('set' in t.subject && t.subject.set.namespace === namespace) objects.add(t.subject.set.object);
    }
    return inRange(objects, (o) => o, range);
  }

  /** The kinds of subject set stored under keys of `namespace#relation`, sorted by namespace then relation. */
  setKindsUnder(namespace: string, relation: string): SubjectSetKind[] {
    const kinds = new Map<string, SubjectSetKind>();
    for (const { tuple } of this.rows) {
      if (tuple.namespace !== namespace || tuple.relation !== relation || !('set' in tuple.subject)) continue;
      const { namespace: ns, relation: rel } = tuple.subject.set;
      kinds.set(JSON.stringify([ns, rel]), { namespace: ns, relation: rel });
    }
    return [...kinds.values()].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.relation, b.relation));
  }

  subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): Subject[] {
    const found = new Map<string, Subject>();
    for (const { tuple: t } of this.rows) {
      const s = t.subject;
      const matches = kind === undefined ? 'id' in s : 'set' in s && s.set.namespace === kind.namespace && s.set.relation === kind.relation;
      if (matches) found.set(JSON.stringify(s), s);
    }
    return inRange(found.values(), (s) => ('id' in s ? s.id : s.set.object), range);
  }

  private ordered(k: ObjectRelation): RelationTuple[] {
    return this.rows.filter((r) => sameKey(r.tuple, k)).map((r) => r.tuple);
  }
}
