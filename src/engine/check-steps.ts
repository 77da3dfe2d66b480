import type { ObjectRelation, Subject, SubjectSet } from '../tuple.js';
import type { CompiledChild, CompiledModel, CompiledRelation, CompiledRewrite, SubjectSetType } from './compiled-model.js';
import type { CheckSettings } from './limits.js';
import { invert, isUnknown, MEMBER, NOT_MEMBER, type Outcome, UNKNOWN_DEPTH, UNKNOWN_WIDTH } from './outcome.js';
import type { TupleSource } from './source.js';
import { Call, type Step, type StepStack } from './step-driver.js';

/**
 * Keto's check steps (IsAllowed, Rewrite, ExpandSubject, Computed, Traverse, Invert), one
 * generator each, run on a StepStack. Every child step is started through a `Call`; the
 * two leaf steps, Direct and DirectMulti (one lookup each), run in place after
 * `enterLeaf`. Either way each counts against the per-path call budget exactly as Keto's
 * executor counts it. Children run one at a time in Keto's order and stop at the first
 * decisive answer, so limits, errors and answers match Keto's. node-check.ts evaluates the
 * same steps by node over the in-memory index: a change here belongs there too.
 */

export interface CheckContext {
  readonly model: CompiledModel;
  readonly source: TupleSource;
  readonly settings: CheckSettings;
  readonly reads: FrontierReads;
  readonly steps: StepStack;
}

/**
 * Reads of one check. While the source answers synchronously (an in-memory index) every
 * lookup goes straight to it. Once it answers through a Promise (a database, where each
 * call is a round trip) answers are kept for the rest of the check, and a hop that is
 * about to visit several subject sets asks for all of them in one call: the direct
 * answers and stored subject sets of a whole frontier. The subject never changes within
 * a check, so a direct answer is a fact about its key alone.
 */
export class FrontierReads {
  /** Set once the source has answered through a Promise. */
  remote = false;
  private directAnswers?: Map<string, boolean>;
  private storedSets?: Map<string, SubjectSet[]>;

  get direct(): Map<string, boolean> {
    return (this.directAnswers ??= new Map());
  }

  get sets(): Map<string, SubjectSet[]> {
    return (this.storedSets ??= new Map());
  }
}

/** One question: does `subject` have `relation` on `namespace:object`, with `depth` hops left. */
export interface Query {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject: Subject;
  readonly depth: number;
}

/** Subject sets already expanded below the first subject-set expansion of a path (Keto's visited set), by `setKey`. */
type Visited = Set<string> | undefined;

/** Asks the source for every row: Keto's lookups are not truncated, only the expansions they feed. */
export const ALL_ROWS = Number.MAX_SAFE_INTEGER;

const setKey = (s: SubjectSet): string => `${s.namespace}\u0000${s.object}\u0000${s.relation}`;

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Reads. A synchronous source is asked directly by the steps, with no generator or
 * Promise in between (`local…`). Otherwise the read goes through `remote…`, which yields
 * the pending answer to the driver and keeps answers for the rest of the check.
 */
type Pending<T> = T | PromiseLike<T> | undefined;

const isReady = <T>(answer: Pending<T>): answer is T => answer !== undefined && !isThenable(answer);

const localDirect = (cx: CheckContext, keys: readonly ObjectRelation[], subject: Subject): Pending<boolean[]> =>
  cx.reads.remote ? undefined : cx.source.hasSubject(keys, subject);

const localSets = (cx: CheckContext, keys: readonly ObjectRelation[]): Pending<SubjectSet[][]> =>
  cx.reads.remote ? undefined : cx.source.subjectSets(keys, ALL_ROWS);

/** Whether `subject` is stored directly on each key; `pending` is the source's first, asynchronous answer. */
function* remoteDirect(cx: CheckContext, keys: readonly ObjectRelation[], subject: Subject, pending: Pending<boolean[]>): Step<boolean[]> {
  const reads = cx.reads;
  reads.remote = true;
  const missing = pending === undefined ? keys.filter((k) => !reads.direct.has(setKey(k))) : keys;
  if (missing.length > 0) {
    const found = (yield pending ?? cx.source.hasSubject(missing, subject)) as boolean[];
    missing.forEach((k, i) => reads.direct.set(setKey(k), found[i] === true));
  }
  return keys.map((k) => reads.direct.get(setKey(k)) === true);
}

/** Every subject set stored on each key, in the source's order; `pending` as for `remoteDirect`. */
function* remoteSets(cx: CheckContext, keys: readonly ObjectRelation[], pending: Pending<SubjectSet[][]>): Step<SubjectSet[][]> {
  const reads = cx.reads;
  reads.remote = true;
  const missing = pending === undefined ? keys.filter((k) => !reads.sets.has(setKey(k))) : keys;
  if (missing.length > 0) {
    const sets = (yield pending ?? cx.source.subjectSets(missing, ALL_ROWS)) as SubjectSet[][];
    missing.forEach((k, i) => reads.sets.set(setKey(k), sets[i] ?? []));
  }
  return keys.map((k) => reads.sets.get(setKey(k)) ?? []);
}

/**
 * With a remote source, reads what the coming children of a hop will ask for: their
 * stored subject sets and, when they will look for a direct tuple, their direct answers.
 */
function* prefetch(cx: CheckContext, keys: readonly ObjectRelation[], subject: Subject, direct: boolean): Step<void> {
  if (!cx.reads.remote || keys.length < 2) return;
  if (direct) yield* remoteDirect(cx, keys, subject, undefined);
  yield* remoteSets(cx, keys, undefined);
}

/** Whether the subject is stored directly on any of `keys`, asking the source by strings. */
function* directByStrings(cx: CheckContext, keys: readonly ObjectRelation[], subject: Subject): Step<boolean> {
  const answer = localDirect(cx, keys, subject);
  const found = isReady(answer) ? answer : yield* remoteDirect(cx, keys, subject, answer);
  return found.includes(true);
}

/** The subject sets stored on `key`, asking the source by strings. */
function* setsByStrings(cx: CheckContext, key: ObjectRelation): Step<readonly SubjectSet[]> {
  const keys = [key];
  const answer = localSets(cx, keys);
  return (isReady(answer) ? answer : yield* remoteSets(cx, keys, answer))[0] ?? [];
}

const keyOf = (q: Query) => ({ namespace: q.namespace, object: q.object, relation: q.relation });

const withRelation = (q: Query, relation: string, depth: number): Query => ({
  namespace: q.namespace,
  object: q.object,
  relation,
  subject: q.subject,
  depth,
});

/** Whether the model lets `subject` sit directly on `relation` (strict mode consults this). */
export function allowsDirectMember(relation: CompiledRelation | undefined, subject: Subject): boolean {
  if ('id' in subject) return relation === undefined || relation.rewrite === undefined;
  if (relation === undefined || relation.rewrite !== undefined) return false;
  const s = subject.set;
  return relation.types.some((t) => t.namespace === s.namespace && (t.relation ?? '') === s.relation);
}

export interface ExpansionType extends SubjectSetType {
  readonly allowsDirect: boolean;
}

export function expansionTypes(model: CompiledModel, subject: Subject, relation: CompiledRelation | undefined): ExpansionType[] {
  if (relation === undefined) return [];
  return relation.subjectSetTypes.map((t) => ({
    namespace: t.namespace,
    relation: t.relation,
    allowsDirect: allowsDirectMember(model.relationFor(t.namespace, t.relation), subject),
  }));
}

/** Keto's lookup that ignores an undeclared relation instead of failing. */
export function relationOrNone(model: CompiledModel, namespace: string, relation: string): CompiledRelation | undefined {
  try {
    return model.relationFor(namespace, relation);
  } catch {
    return undefined;
  }
}

export function* isAllowed(cx: CheckContext, q: Query, visited: Visited, skipDirect: boolean): Step<Outcome> {
  if (q.depth <= 0) return UNKNOWN_DEPTH;
  const relation = cx.model.relationFor(q.namespace, q.relation);
  const strict = cx.settings.strictMode;
  // Keto plans every step before running the first, so strict mode's type lookups fail first.
  const types = strict ? expansionTypes(cx.model, q.subject, relation) : undefined;
  // A union of the applicable steps, in Keto's order: rewrite, direct tuple, subject-set expansion.
  let limited: Outcome | undefined;
  const rewrite = relation?.rewrite;
  if (rewrite !== undefined) {
    const r = (yield new Call(() => rewriteStep(cx, q, visited, rewrite))) as Outcome;
    if (r === MEMBER) return MEMBER;
    if (isUnknown(r)) limited = r;
  }
  if (!skipDirect && (!strict || allowsDirectMember(relation, q.subject))) {
    // Keto's Direct step, run in place: one lookup of the exact tuple.
    cx.steps.enterLeaf();
    if (yield* directByStrings(cx, [keyOf(q)], q.subject)) return MEMBER;
  }
  if (types === undefined || types.length > 0) {
    const r = (yield new Call(() => expandSubjectStep(cx, q, visited, types))) as Outcome;
    if (r === MEMBER) return MEMBER;
    if (limited === undefined && isUnknown(r)) limited = r;
  }
  return limited ?? NOT_MEMBER;
}

function* expandSubjectStep(cx: CheckContext, q: Query, visited: Visited, types: readonly ExpansionType[] | undefined): Step<Outcome> {
  if (q.depth <= 0) return UNKNOWN_DEPTH;
  const stored = yield* setsByStrings(cx, keyOf(q));
  let sets = stored;
  let lookAhead = stored;
  if (types !== undefined) {
    const typeOf = (s: SubjectSet) => types.find((t) => t.namespace === s.namespace && t.relation === s.relation);
    sets = stored.filter((s) => typeOf(s) !== undefined);
    lookAhead = sets.filter((s) => typeOf(s)?.allowsDirect === true);
  }
  if (sets.length === 0) return NOT_MEMBER;
  if (lookAhead.length > 0) {
    if (yield* directByStrings(cx, lookAhead, q.subject)) return MEMBER;
  }
  if (q.depth <= 1) return UNKNOWN_DEPTH;

  const seen = visited ?? new Set<string>();
  let limited: Outcome | undefined;
  const width = cx.settings.maxReadWidth;
  if (sets.length > width) {
    sets = sets.slice(0, Math.max(0, width));
    limited = UNKNOWN_WIDTH;
  }
  if (cx.reads.remote) yield* prefetch(cx, sets.filter((s) => !seen.has(setKey(s))), q.subject, false);
  for (const s of sets) {
    const k = setKey(s);
    if (seen.has(k)) continue;
    seen.add(k);
    const child: Query = { namespace: s.namespace, object: s.object, relation: s.relation, subject: q.subject, depth: q.depth - 1 };
    const r = (yield new Call(() => isAllowed(cx, child, seen, true))) as Outcome;
    if (r === MEMBER) return MEMBER;
    if (limited === undefined && isUnknown(r)) limited = r;
  }
  return limited ?? NOT_MEMBER;
}

function* rewriteStep(cx: CheckContext, q: Query, visited: Visited, rewrite: CompiledRewrite): Step<Outcome> {
  if (q.depth <= 0) return UNKNOWN_DEPTH;
  // `or` is a union (a member decides), `and` an intersection (a non-member decides); an
  // empty intersection is not a member. The first limit hit is the reason for "unknown".
  const decisive = rewrite.operator === 'and' ? NOT_MEMBER : MEMBER;
  let limited: Outcome | undefined;
  if (rewrite.computed.length > 0) {
    // Keto's shortcut for `or`: one lookup of the subject on all computed relations, then each of them in full.
    const direct = cx.settings.strictMode
      ? rewrite.computed.filter((r) => allowsDirectMember(relationOrNone(cx.model, q.namespace, r), q.subject))
      : rewrite.computed;
    if (direct.length > 0) {
      // Keto's DirectMulti step, run in place.
      cx.steps.enterLeaf();
      const keys = direct.map((relation) => ({ namespace: q.namespace, object: q.object, relation }));
      if (yield* directByStrings(cx, keys, q.subject)) return MEMBER;
    }
    for (const relation of rewrite.computed) {
      const child = withRelation(q, relation, q.depth - 1);
      const r = (yield new Call(() => isAllowed(cx, child, visited, true))) as Outcome;
      if (r === MEMBER) return MEMBER;
      if (limited === undefined && isUnknown(r)) limited = r;
    }
  }
  for (const child of rewrite.rest) {
    const r = (yield childCall(cx, child.kind === 'rewrite' ? { ...q, depth: q.depth - 1 } : q, visited, child)) as Outcome;
    if (r === decisive) return r;
    if (limited === undefined && isUnknown(r)) limited = r;
  }
  if (rewrite.computed.length === 0 && rewrite.rest.length === 0) return NOT_MEMBER;
  return limited ?? (decisive === MEMBER ? NOT_MEMBER : MEMBER);
}

function childCall(cx: CheckContext, q: Query, visited: Visited, child: CompiledChild): Call<Outcome> {
  switch (child.kind) {
    case 'computed':
      return new Call(() => computedStep(cx, q, visited, child.relation));
    case 'traverse':
      return new Call(() => traverseStep(cx, q, visited, child.relation, child.computedRelation));
    case 'rewrite':
      return new Call(() => rewriteStep(cx, q, visited, child.rewrite));
    case 'invert':
      return new Call(() => invertStep(cx, q, visited, child.child));
  }
}

function* computedStep(cx: CheckContext, q: Query, visited: Visited, relation: string): Step<Outcome> {
  const child = withRelation(q, relation, q.depth);
  return (yield new Call(() => isAllowed(cx, child, visited, false))) as Outcome;
}

function* invertStep(cx: CheckContext, q: Query, visited: Visited, child: CompiledChild): Step<Outcome> {
  return invert((yield childCall(cx, q, visited, child)) as Outcome);
}

function* traverseStep(cx: CheckContext, q: Query, visited: Visited, relation: string, computedRelation: string): Step<Outcome> {
  if (q.depth <= 0) return UNKNOWN_DEPTH;
  const key = { namespace: q.namespace, object: q.object, relation };
  const sets = yield* setsByStrings(cx, key);
  if (cx.reads.remote) yield* prefetch(cx, sets.map((s) => ({ namespace: s.namespace, object: s.object, relation: computedRelation })), q.subject, true);
  let limited: Outcome | undefined;
  for (const s of sets) {
    const child: Query = { namespace: s.namespace, object: s.object, relation: computedRelation, subject: q.subject, depth: q.depth - 1 };
    const r = (yield new Call(() => isAllowed(cx, child, visited, false))) as Outcome;
    if (r === MEMBER) return MEMBER;
    if (limited === undefined && isUnknown(r)) limited = r;
  }
  return limited ?? NOT_MEMBER;
}
