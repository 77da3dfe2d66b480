import { TupleIndex } from '../../src/index/tuple-index.js';
import type { MaybePromise, OrderedRange, OrderedSets, SubjectSetKind, TupleSource } from '../../src/reader.js';
import { inRange } from './ordered-range.js';
import type { ObjectRelation, RelationTuple, Subject, SubjectSet } from '../../src/tuple.js';
import { subjectEquals } from '../../src/tuple.js';
import { NIL_NETWORK_ID, orderedSets } from '../../src/store/traverse-order.js';

const keyOf = (k: ObjectRelation): string => `${k.namespace}\u0000${k.object}\u0000${k.relation}`;

/**
 * A TupleSource over an array of tuples, in insertion order (a traverse's sets in Keto's
 * listing order, under `networkId`). Answers synchronously, or through Promises with
 * `{ async: true }` (to exercise the engine's asynchronous path).
 * Counts the calls it answers, so tests can see how many round trips a check costs.
 */
export class MemoryTupleSource implements TupleSource {
  private readonly byKey = new Map<string, Subject[]>();
  calls = 0;

  constructor(
    tuples: Iterable<RelationTuple> = [],
    /** `networkId`: the network whose object UUIDs order a traverse (Keto's tests' nil UUID by default). */
    private readonly options: { async?: boolean; networkId?: string } = {},
  ) {
    for (const t of tuples) this.add(t);
  }

  add(t: RelationTuple): void {
    const k = keyOf(t);
    const list = this.byKey.get(k);
    if (list === undefined) this.byKey.set(k, [t.subject]);
    else list.push(t.subject);
  }

  /** Removes every row equal to `t` (as a store's delete does); returns how many there were. */
  delete(t: RelationTuple): number {
    const k = keyOf(t);
    const list = this.byKey.get(k) ?? [];
    const kept = list.filter((s) => !subjectEquals(s, t.subject));
    if (kept.length === 0) this.byKey.delete(k);
    else this.byKey.set(k, kept);
    return list.length - kept.length;
  }

  private answer<T>(value: T): MaybePromise<T> {
    this.calls++;
    return this.options.async === true ? Promise.resolve(value) : value;
  }

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): MaybePromise<boolean[]> {
    return this.answer(keys.map((k) => (this.byKey.get(keyOf(k)) ?? []).some((s) => subjectEquals(s, subject))));
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): MaybePromise<SubjectSet[][]> {
    return this.answer(
      keys.map((k) => {
        const sets: SubjectSet[] = [];
        for (const s of this.byKey.get(keyOf(k)) ?? []) {
          if (sets.length >= limit) break;
          if ('set' in s) sets.push(s.set);
        }
        return sets;
      }),
    );
  }

  orderedSubjectSets(keys: readonly ObjectRelation[]): MaybePromise<OrderedSets[]> {
    const network = this.options.networkId ?? NIL_NETWORK_ID;
    return this.answer(keys.map((k) => orderedSets((this.byKey.get(keyOf(k)) ?? []).flatMap((s) => ('set' in s ? [s.set] : [])), network)));
  }

  subjects(keys: readonly ObjectRelation[], limit: number): MaybePromise<Subject[][]> {
    return this.answer(keys.map((key) => (this.byKey.get(keyOf(key)) ?? []).slice(0, limit)));
  }

  keysOf(subjects: readonly Subject[], namespace?: string): MaybePromise<ObjectRelation[][]> {
    return this.answer(
      subjects.map((subject) => {
        const keys: ObjectRelation[] = [];
        for (const [k, stored] of this.byKey) {
          const [ns, object, relation] = k.split('\u0000') as [string, string, string];
          if ((namespace === undefined || ns === namespace) && stored.some((s) => subjectEquals(s, subject))) keys.push({ namespace: ns, object, relation });
        }
        return keys;
      }),
    );
  }

  objectsIn(namespace: string, range: OrderedRange): MaybePromise<string[]> {
    const objects = new Set<string>();
    for (const [k, subjects] of this.byKey) {
      const [ns, object] = k.split('\u0000') as [string, string];
      if (ns === namespace) objects.add(object);
      for (const s of subjects) if ('set' in s && s.set.namespace === namespace) objects.add(s.set.object);
    }
    return this.answer(inRange(objects, (o) => o, range));
  }

  subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): MaybePromise<Subject[]> {
    const found = new Map<string, Subject>();
    for (const subjects of this.byKey.values()) {
      for (const s of subjects) {
        const matches = kind === undefined ? 'id' in s : 'set' in s && s.set.namespace === kind.namespace && s.set.relation === kind.relation;
        if (matches) found.set(JSON.stringify(s), s);
      }
    }
    return this.answer(inRange(found.values(), (s) => ('id' in s ? s.id : s.set.object), range));
  }
}

/** The sources engine tests read: this one answering at once or through Promises, and the in-memory index. */
export type SourceKind = 'memory' | 'async memory' | 'tuple index';

export function sourceOf(kind: SourceKind, tuples: readonly RelationTuple[]): TupleSource {
  if (kind !== 'tuple index') return new MemoryTupleSource(tuples, { async: kind === 'async memory' });
  const index = new TupleIndex();
  for (const t of tuples) index.insert(t);
  return index;
}
