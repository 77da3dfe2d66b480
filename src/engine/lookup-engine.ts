import type { CancelSignal } from '../cancellation.js';
import { unknownNamespace } from '../errors.js';
import type { ModelSnapshot } from '../model.js';
import { ALL_ROWS, type Consistency, DEFAULT_CONSISTENCY, internedReadsOf, type MaybePromise, type Readers, type SubjectSetKind, type TupleSource } from '../reader.js';
import { compareBinary, keyName, type ObjectRelation, type RelationTuple, type Subject } from '../tuple.js';
import type { CheckEngine } from './check-engine.js';
import { compileModel } from './compiled-model.js';
import type { KnownRows } from './fetching-reads.js';
import { type LookupModel, lookupModel } from './lookup-model.js';

export interface LookupEngineDeps {
  readonly reads: Readers;
  readonly model: () => ModelSnapshot;
  /** Confirms every candidate: a lookup answers exactly what checks answer. */
  readonly checks: CheckEngine;
}

interface Page {
  /** At most this many answers. */
  readonly pageSize: number;
  /** The page starts after this position (the `last` of the page before). */
  readonly after?: string;
  readonly maxDepth?: number;
}

export interface ListObjectsQuery extends Page {
  readonly namespace: string;
  readonly relation: string;
  readonly subject: Subject;
}

export interface ListSubjectsQuery extends Page {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  /** Subject sets of this namespace and relation; subject ids when undefined. */
  readonly kind?: SubjectSetKind;
}

export interface LookupPage<T> {
  readonly items: T[];
  /** Where the next page starts (after this position), or undefined on the last page. */
  readonly last?: string;
}

/**
 * Reverse lookups, exact by construction: the candidates are found by walking stored tuples
 * (backwards from the subject for list objects, forwards from the object for list subjects)
 * along the model's edges, and every candidate is confirmed by the check evaluator with the
 * request's max-depth, so a lookup lists exactly what the checks allow. Where a relation can
 * hold without a stored path (a `!` that decides alone), every object or subject of the
 * kind in the store is a candidate. Candidates are taken in binary order of their id, so a
 * page ends at an id and the next starts after it: every answer once across the pages.
 * They are confirmed a chunk at a time, and the store hands out every object or subject of
 * a kind by the same chunks: a request holds at most MAX_CANDIDATES_HELD of them (or a
 * page), however many the store has. A walk holds the keys it reaches from the subject
 * (from the object).
 */
export class LookupEngine {
  constructor(private readonly deps: LookupEngineDeps) {}

  /** The objects `o` of `namespace` for which `namespace:o#relation@subject` is allowed, by id. */
  async listObjects(q: ListObjectsQuery, consistency: Consistency = DEFAULT_CONSISTENCY, signal?: CancelSignal): Promise<LookupPage<string>> {
    const snapshot = this.knownRelation(q.namespace, q.relation, 'set' in q.subject ? q.subject.set.namespace : undefined);
    const source = await this.deps.reads.open(consistency);
    const candidates = await objectCandidates(source, lookupModel(snapshot), q);
    return this.confirm(candidates, (o) => o, q, source, (object) => ({ namespace: q.namespace, object, relation: q.relation, subject: q.subject }), undefined, signal);
  }

  /** The subjects of a kind that have `relation` on `namespace:object`, by id (subject ids) or object (subject sets). */
  async listSubjects(q: ListSubjectsQuery, consistency: Consistency = DEFAULT_CONSISTENCY, signal?: CancelSignal): Promise<LookupPage<Subject>> {
    const snapshot = this.knownRelation(q.namespace, q.relation, q.kind?.namespace);
    const source = await this.deps.reads.open(consistency);
    const { candidates, rows } = await subjectCandidates(source, lookupModel(snapshot), q);
    return this.confirm(candidates, positionOf, q, source, (subject) => ({ namespace: q.namespace, object: q.object, relation: q.relation, subject }), rows, signal);
  }

  /** The model in force, after the checks' own refusals: an unknown namespace, an undeclared relation. */
  private knownRelation(namespace: string, relation: string, subjectNamespace: string | undefined): ModelSnapshot {
    const snapshot = this.deps.model();
    const model = compileModel(snapshot);
    if (!model.hasNamespace(namespace)) throw unknownNamespace(namespace);
    if (subjectNamespace !== undefined && !model.hasNamespace(subjectNamespace)) throw unknownNamespace(subjectNamespace);
    model.relationFor(namespace, relation);
    return snapshot;
  }

  /**
   * Checks candidates in the order of their position, a chunk at a time, until a page is
   * full; `known` rows are not read again. The page ends with a position when any
   * candidate follows its last answer. Over the index a check costs time, not reads: the
   * chunks start at a page and double. Over a database the checks of a chunk share each
   * round of reads: the chunks are as large as allowed, so the queries of a page do not
   * grow with its candidates (up to MAX_CANDIDATES_HELD of them).
   */
  private async confirm<T>(
    candidates: Candidates<T>,
    position: (c: T) => string,
    page: Page,
    source: TupleSource,
    tupleOf: (c: T) => RelationTuple,
    known?: ReadonlyMap<string, KnownRows>,
    signal?: CancelSignal,
  ): Promise<LookupPage<T>> {
    const items: T[] = [];
    let after = page.after;
    const most = Math.max(page.pageSize, MAX_CANDIDATES_HELD);
    for (let size = internedReadsOf(source) === undefined ? most : Math.max(1, page.pageSize); ; size = Math.min(2 * size, most)) {
      const chunk = await candidates(after, size);
      const allowed = await this.deps.checks.allowedAmong(source, chunk.map(tupleOf), page.maxDepth, known, undefined, signal);
      for (let i = 0; i < chunk.length; i++) {
        if (!allowed[i]) continue;
        items.push(chunk[i]!);
        if (items.length < page.pageSize) continue;
        const at = position(chunk[i]!);
        const more = i + 1 < chunk.length || (chunk.length === size && (await candidates(at, 1)).length > 0);
        return more ? { items, last: at } : { items };
      }
      if (chunk.length < size) return { items };
      after = position(chunk[chunk.length - 1]!);
    }
  }
}

/** Every item of a lookup, page after page, as a client walks them (`list` reads the page after a position). */
export async function everyPage<T>(list: (after: string | undefined) => Promise<LookupPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  do {
    const page = await list(after);
    items.push(...page.items);
    after = page.last;
  } while (after !== undefined);
  return items;
}

/** A subject's place in the order of its kind: the id of a subject id, the object of a subject set. */
const positionOf = (s: Subject): string => ('id' in s ? s.id : s.set.object);

/**
 * At most this many candidates are confirmed at once (a page, when it is larger): what a
 * lookup holds of every object or subject of a kind, and how many checks share a round of reads.
 */
export const MAX_CANDIDATES_HELD = 4096;

/** A lookup's candidates in binary order of their position: at most `limit` of them after `after` (all when undefined). */
type Candidates<T> = (after: string | undefined, limit: number) => MaybePromise<T[]>;

/** The candidates of a list held in memory (a walk's), as a cursor. */
function inOrder<T>(list: readonly T[], position: (c: T) => string): Candidates<T> {
  const sorted = list.map((c) => ({ c, at: position(c) })).sort((x, y) => compareBinary(x.at, y.at));
  return (after, limit) => {
    let lo = 0;
    if (after !== undefined) {
      for (let hi = sorted.length; lo < hi; ) {
        const mid = (lo + hi) >>> 1;
        if (compareBinary(sorted[mid]!.at, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    return sorted.slice(lo, lo + limit).map((x) => x.c);
  };
}

const keyId = (k: ObjectRelation): string => keyName(k.namespace, k.object, k.relation);

/** Every answer once the pending ones are in: a Promise only when some answer is one. */
function settle<T>(answers: MaybePromise<T>[]): MaybePromise<T[]> {
  return answers.some((a) => a instanceof Promise) ? Promise.all(answers) : (answers as T[]);
}

/** Keys reached by a walk, each once, handed out level by level. */
class Frontier {
  private readonly seen = new Set<string>();
  next: ObjectRelation[] = [];

  constructor(private readonly onReach: (k: ObjectRelation) => void) {}

  reach(k: ObjectRelation): void {
    const id = keyId(k);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.next.push(k);
    this.onReach(k);
  }

  take(): ObjectRelation[] {
    const level = this.next;
    this.next = [];
    return level;
  }
}

/**
 * The objects a check could allow, walking backwards from the subject: the keys it is
 * stored on, the keys holding those as subject sets, the permits naming a reached relation
 * on the same object, and the permits traversing to a reached relation from the objects
 * whose walked relation holds the reached object. Each level of the walk costs one read,
 * plus one per namespace a traverse starts from.
 */
async function objectCandidates(source: TupleSource, model: LookupModel, q: ListObjectsQuery): Promise<Candidates<string>> {
  if (!model.needsStoredPath(q.namespace, q.relation)) return (after, limit) => source.objectsIn(q.namespace, { ...(after === undefined ? {} : { after }), limit });
  const found = new Set<string>();
  const frontier = new Frontier((k) => {
    if (k.namespace === q.namespace && k.relation === q.relation) found.add(k.object);
  });
  ((await source.keysOf([q.subject]))[0] ?? []).forEach((k) => frontier.reach(k));
  for (let level = frontier.take(); level.length > 0; level = frontier.take()) {
    /** Per namespace a traverse starts from: the subject sets to look up there, and what each reaches. */
    const traversals = new Map<string, { subjects: Subject[]; seen: Map<string, number>; uses: { via: string; permit: string }[][] }>();
    for (const k of level) {
      for (const permit of model.permitsUsing(k.namespace, k.relation)) frontier.reach({ namespace: k.namespace, object: k.object, relation: permit });
      for (const use of model.traversesTo(k.relation)) {
        let t = traversals.get(use.namespace);
        if (t === undefined) traversals.set(use.namespace, (t = { subjects: [], seen: new Map(), uses: [] }));
        // A traverse walks every subject set stored on the relation, whatever its relation.
        for (const relation of ['', ...model.relationsOf(k.namespace)]) {
          const set = { namespace: k.namespace, object: k.object, relation };
          const id = keyId(set);
          let i = t.seen.get(id);
          if (i === undefined) {
            t.seen.set(id, (i = t.subjects.length));
            t.subjects.push({ set });
            t.uses.push([]);
          }
          t.uses[i]!.push({ via: use.via, permit: use.permit });
        }
      }
    }
    const namespaces = [...traversals.keys()];
    const [holders, ...traversed] = await settle([
      source.keysOf(level.map((set) => ({ set }))),
      ...namespaces.map((namespace) => source.keysOf(traversals.get(namespace)!.subjects, namespace)),
    ]);
    holders!.forEach((keys) => keys.forEach((holder) => frontier.reach(holder)));
    namespaces.forEach((namespace, n) => {
      const uses = traversals.get(namespace)!.uses;
      traversed[n]!.forEach((keys, i) => {
        for (const use of uses[i]!) {
          for (const holder of keys) if (holder.relation === use.via) frontier.reach({ namespace, object: holder.object, relation: use.permit });
        }
      });
    });
  }
  return inOrder([...found], (o) => o);
}

/**
 * The subjects of the kind a check could allow, walking forwards from the object: the
 * subjects stored on each reached key, the subject sets among them expanded, the relations
 * a reached permit names on the same object, and the relation a traverse asks of the
 * objects its walked relation holds. Each level of the walk costs a read, three when it
 * traverses. The rows read are kept, with the order a traverse walks them: confirming the
 * candidates reads them again only where the walk did not.
 */
async function subjectCandidates(
  source: TupleSource,
  model: LookupModel,
  q: ListSubjectsQuery,
): Promise<{ candidates: Candidates<Subject>; rows?: Map<string, KnownRows> }> {
  const kind = q.kind;
  const ofKind = (s: Subject): boolean =>
    kind === undefined ? 'id' in s : 'set' in s && s.set.namespace === kind.namespace && s.set.relation === kind.relation;
  if (!model.needsStoredPath(q.namespace, q.relation)) {
    return { candidates: (after, limit) => source.subjectsOfKind(kind, { ...(after === undefined ? {} : { after }), limit }) };
  }
  const found = new Map<string, Subject>();
  const rows = new Map<string, KnownRows>();
  const frontier = new Frontier(() => undefined);
  frontier.reach({ namespace: q.namespace, object: q.object, relation: q.relation });
  for (let level = frontier.take(); level.length > 0; level = frontier.take()) {
    const vias: ObjectRelation[] = [];
    const asked: string[] = [];
    for (const k of level) {
      for (const relation of model.computedOf(k.namespace, k.relation)) frontier.reach({ namespace: k.namespace, object: k.object, relation });
      for (const traverse of model.traversesOf(k.namespace, k.relation)) {
        vias.push({ namespace: k.namespace, object: k.object, relation: traverse.via });
        asked.push(traverse.relation);
      }
    }
    const traversing = vias.length > 0;
    const [stored, walked, ordered] = await Promise.all([
      source.subjects(level, ALL_ROWS),
      traversing ? source.subjects(vias, ALL_ROWS) : [],
      traversing ? source.orderedSubjectSets(vias) : [],
    ]);
    stored.forEach((subjects, i) => {
      const k = level[i]!;
      rows.set(keyName(k.namespace, k.object, k.relation), { subjects });
      for (const s of subjects) {
        if (ofKind(s)) found.set(positionOf(s), s);
        if ('set' in s) frontier.reach(s.set);
      }
    });
    walked.forEach((subjects, i) => {
      const via = vias[i]!;
      const { sets, traverse } = ordered[i]!;
      rows.set(keyName(via.namespace, via.object, via.relation), { subjects: [...subjects.filter((s) => 'id' in s), ...sets.map((set) => ({ set }))], traverse });
      for (const s of subjects) if ('set' in s) frontier.reach({ namespace: s.set.namespace, object: s.set.object, relation: asked[i]! });
    });
  }
  return { candidates: inOrder([...found.values()], positionOf), rows };
}
