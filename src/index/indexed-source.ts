import type { InternedReads, InterningSource, MaybePromise, OrderedRange, OrderedSets, SubjectSetKind, TupleSource } from '../reader.js';
import type { ObjectRelation, Subject, SubjectSet } from '../tuple.js';
import type { IndexCoverage } from './coverage.js';
import type { TupleIndex } from './tuple-index.js';

/**
 * The engine's tuple source with the index in front of the database: a read of a key
 * whose namespace the index serves is answered from memory (synchronously); any other
 * (index still warming up, namespace left out by the memory budget) goes to the store.
 * A frontier spanning both is split and merged back in order. Both sides hold the same
 * rows in the same order, so the answer never depends on which side gave it.
 */
export class IndexedTupleSource implements InterningSource {
  constructor(
    private readonly index: TupleIndex,
    private readonly store: TupleSource,
    private readonly coverage: IndexCoverage,
  ) {}

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): MaybePromise<boolean[]> {
    return this.split(keys, (k) => this.index.hasSubject(k, subject), (k) => this.store.hasSubject(k, subject));
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): MaybePromise<SubjectSet[][]> {
    return this.split(keys, (k) => this.index.subjectSets(k, limit), (k) => this.store.subjectSets(k, limit));
  }

  orderedSubjectSets(keys: readonly ObjectRelation[]): MaybePromise<OrderedSets[]> {
    return this.split(keys, (k) => this.index.orderedSubjectSets(k), (k) => this.store.orderedSubjectSets(k));
  }

  /** The index's reads by node, while it serves every namespace. */
  interned(): InternedReads | undefined {
    return this.coverage.servesAll() ? this.index : undefined;
  }

  subjects(keys: readonly ObjectRelation[], limit: number): MaybePromise<Subject[][]> {
    return this.split(keys, (k) => this.index.subjects(k, limit), (k) => this.store.subjects(k, limit));
  }

  keysOf(subjects: readonly Subject[], namespace?: string): MaybePromise<ObjectRelation[][]> {
    const served = namespace === undefined ? this.coverage.servesAll() : this.coverage.serves(namespace);
    return served ? this.index.keysOf(subjects, namespace) : this.store.keysOf(subjects, namespace);
  }

  /** Objects and subjects of one kind may sit in rows of any namespace: the index answers once it holds them all. */
  objectsIn(namespace: string, range: OrderedRange): MaybePromise<string[]> {
    return this.coverage.servesAll() ? this.index.objectsIn(namespace, range) : this.store.objectsIn(namespace, range);
  }

  subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): MaybePromise<Subject[]> {
    return this.coverage.servesAll() ? this.index.subjectsOfKind(kind, range) : this.store.subjectsOfKind(kind, range);
  }

  private split<T>(
    keys: readonly ObjectRelation[],
    fromIndex: (keys: readonly ObjectRelation[]) => T[],
    fromStore: (keys: readonly ObjectRelation[]) => MaybePromise<T[]>,
  ): MaybePromise<T[]> {
    let served = 0;
    for (const k of keys) if (this.coverage.serves(k.namespace)) served++;
    if (served === keys.length) return fromIndex(keys);
    if (served === 0) return fromStore(keys);
    const inMemory = keys.map((k) => this.coverage.serves(k.namespace));
    const indexed = fromIndex(keys.filter((_, i) => inMemory[i]));
    const stored = fromStore(keys.filter((_, i) => !inMemory[i]));
    const merge = (fromDb: T[]): T[] => {
      let i = 0;
      let s = 0;
      return inMemory.map((m) => (m ? indexed[i++]! : fromDb[s++]!));
    };
    return stored instanceof Promise ? stored.then(merge) : merge(stored);
  }
}
