import { GatehouseError } from '../errors.js';
import type { Subject } from '../tuple.js';
import type { CompiledChild, CompiledModel, CompiledRelation, CompiledRewrite } from './compiled-model.js';
import type { CheckSettings } from './limits.js';
import type { NodeReads } from '../reader.js';
import { invert, isUnknown, MEMBER, NOT_MEMBER, type Outcome, UNKNOWN_DEPTH, UNKNOWN_WIDTH } from './outcome.js';
import { SLICE_STEPS } from './slices.js';
import { allowsDirectMember, type ExpansionType, expansionTypes, relationOrNone } from './strict-types.js';
import { type StepResult, stepResultOf, type Trace, type TraceNode } from './explanation.js';
import { VisitMarks } from './visit-marks.js';

/**
 * Keto's check, written once: IsAllowed (rewrite, direct tuple, subject-set expansion with
 * look-ahead, width limit and visited set), the rewrites (`||` with its one-lookup
 * shortcut over computed relations, `&&`, `!`, traverse) and the per-path call budget.
 *
 * Each of Keto's steps is a frame on an explicit stack, so that an evaluation can stop
 * between any two reads and go on later where it stopped: when the reads lack a row
 * (a database: the rows asked for are fetched in one batch, then the walk resumes), and
 * every SLICE_STEPS steps (the event loop turns). Frames are reused from check to check;
 * over the in-memory index a check allocates nothing. A frame's `height` is the number of
 * Keto steps on its path, which the call budget bounds: a step about to start a child or
 * do a leaf's lookup calls `enter(height)`, exactly where Keto's executor counts a call.
 */

const callBudgetExceeded = (): GatehouseError =>
  new GatehouseError(
    'unprocessable',
    'The check could not be completed',
    'The check was aborted after too many resolution steps. This usually indicates a cyclic permit reference in the namespace configuration.',
  );

/** A key not looked up yet. */
const UNRESOLVED = -2;

const IS_ALLOWED = 0;
const REWRITE = 1;
const EXPAND = 2;
const TRAVERSE = 3;
const INVERT = 4;

/** What running a frame's code gives besides an outcome (outcomes are 1–4). */
const CALLED = 0;
const NEEDS_READS = -1;

/** Why `run` stopped without an outcome. */
const PAUSED_FOR_READS = -1;
export const PAUSED_FOR_TURN = -2;
export type RunResult = Outcome | typeof PAUSED_FOR_READS | typeof PAUSED_FOR_TURN;

/** One of Keto's steps in progress. Fields are used per kind as commented; `pc` says where to go on. */
class Frame {
  kind = IS_ALLOWED;
  pc = 0;
  namespace = '';
  object = '';
  /** IS_ALLOWED: the relation asked; TRAVERSE: the relation walked. */
  relation = '';
  /** TRAVERSE: the relation asked of each object reached. */
  computedRelation = '';
  /** IS_ALLOWED, EXPAND, TRAVERSE: the key node, or UNRESOLVED. */
  key = UNRESOLVED;
  depth = 0;
  height = 0;
  inSet = false;
  skipDirect = false;
  /** The first limit hit among the children so far (0: none). */
  limited = 0;
  /** Loop position and end (EXPAND, REWRITE, TRAVERSE). */
  i = 0;
  n = 0;
  /** IS_ALLOWED: the declared relation. */
  declared: CompiledRelation | undefined = undefined;
  /** IS_ALLOWED and EXPAND: strict mode's expansion types (undefined: every set). */
  types: readonly ExpansionType[] | undefined = undefined;
  /** EXPAND in strict mode: the sets of the declared types. */
  typed: number[] | undefined = undefined;
  rewrite: CompiledRewrite | undefined = undefined;
  /** INVERT: the child inverted. */
  child: CompiledChild | undefined = undefined;
  /** The step's record, when the evaluation is explained. */
  node: TraceNode | undefined = undefined;
}

export interface CheckQuery {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly depth: number;
}

/**
 * One evaluation at a time: `start` it, then `run` until an outcome comes out. A paused
 * evaluator keeps its stack; call `run` again once the reads are fetched or the loop turned.
 */
export class Evaluator {
  private readonly frames: Frame[] = [];
  private top = -1;
  private readonly marks = new VisitMarks();
  private model!: CompiledModel;
  private reads!: NodeReads;
  private subject!: Subject;
  private subjectNode = -1;
  private strict = false;
  private width = 0;
  private maxPath = 0;
  private steps = 0;
  private sliceEnd = 0;
  /** The outcome of the frame that returned last, for its parent. */
  private returned: Outcome = NOT_MEMBER;
  /** Where the steps are recorded, when the evaluation is explained. */
  private trace: Trace | undefined;

  start(
    model: CompiledModel,
    reads: NodeReads,
    subject: Subject,
    subjectNode: number,
    settings: CheckSettings,
    maxPath: number,
    q: CheckQuery,
    trace?: Trace,
  ): void {
    this.trace = trace;
    this.model = model;
    this.reads = reads;
    this.subject = subject;
    this.subjectNode = subjectNode;
    this.strict = settings.strictMode;
    this.width = settings.maxReadWidth;
    this.maxPath = maxPath;
    this.steps = 0;
    this.top = -1;
    this.isAllowed(q.namespace, q.object, q.relation, UNRESOLVED, q.depth, 1, false, false);
  }

  /** Keto's steps the evaluation took (each started child or leaf lookup). */
  get stepsTaken(): number {
    return this.steps;
  }

  /** Drops what the last evaluation held on to (the model and reads of a finished check). */
  release(): void {
    this.top = -1;
    this.trace = undefined;
    this.reads = undefined as unknown as NodeReads;
    this.subject = undefined as unknown as Subject;
  }

  /** Runs until an outcome, or until the reads lack a row, or until the slice is used up. Throws the call-budget error. */
  run(): RunResult {
    this.sliceEnd = this.steps + SLICE_STEPS;
    for (;;) {
      const f = this.frames[this.top]!;
      if (f.pc === 0 && this.steps >= this.sliceEnd) return PAUSED_FOR_TURN;
      let r: number;
      switch (f.kind) {
        case IS_ALLOWED:
          r = this.runIsAllowed(f);
          break;
        case REWRITE:
          r = this.runRewrite(f);
          break;
        case EXPAND:
          r = this.runExpand(f);
          break;
        case TRAVERSE:
          r = this.runTraverse(f);
          break;
        default:
          r = f.pc === 0 ? this.startInvertedChild(f) : invert(this.returned);
      }
      if (r === CALLED) continue;
      if (r === NEEDS_READS) return PAUSED_FOR_READS;
      this.returned = r as Outcome;
      if (f.node !== undefined) describe(f, stepResultOf(r as Outcome));
      if (--this.top < 0) return r as Outcome;
    }
  }

  /** A step about to start a child (or do a leaf's lookup) on a path of `height` steps. */
  private enter(height: number): void {
    if (height >= this.maxPath) throw callBudgetExceeded();
    this.steps++;
  }

  private push(kind: number, namespace: string, object: string, depth: number, height: number, inSet: boolean): Frame {
    const index = ++this.top;
    let f = this.frames[index];
    if (f === undefined) this.frames.push((f = new Frame()));
    f.kind = kind;
    f.pc = 0;
    f.namespace = namespace;
    f.object = object;
    f.depth = depth;
    f.height = height;
    f.inSet = inSet;
    f.limited = 0;
    const trace = this.trace;
    if (trace === undefined) f.node = undefined;
    else {
      const parent = index === 0 ? undefined : this.frames[index - 1]!.node;
      f.node = index === 0 ? trace.root : parent === undefined ? undefined : trace.open(parent);
    }
    return f;
  }

  /** Records every step still running as ended by `result` (the call budget ran out under them). */
  endRunning(result: StepResult): void {
    for (let i = this.top; i >= 0; i--) {
      const f = this.frames[i]!;
      if (f.node !== undefined) describe(f, result);
    }
  }

  private isAllowed(namespace: string, object: string, relation: string, key: number, depth: number, height: number, inSet: boolean, skipDirect: boolean): typeof CALLED {
    const f = this.push(IS_ALLOWED, namespace, object, depth, height, inSet);
    f.relation = relation;
    f.key = key;
    f.skipDirect = skipDirect;
    return CALLED;
  }

  /** Takes the outcome of a union's child: true when it decides (a member), else the first limit hit is kept. */
  private unionChildDecides(f: Frame): boolean {
    const r = this.returned;
    if (r === MEMBER) return true;
    if (f.limited === 0 && isUnknown(r)) f.limited = r;
    return false;
  }

  private key(f: Frame): number {
    if (f.key === UNRESOLVED) f.key = this.reads.setNode(f.namespace, f.object, f.relation);
    return f.key;
  }

  /** Keto's IsAllowed: a union, in Keto's order, of the rewrite, the direct tuple and the subject-set expansion. */
  private runIsAllowed(f: Frame): number {
    switch (f.pc) {
      case 0: {
        if (f.depth <= 0) return UNKNOWN_DEPTH;
        const declared = this.model.relationFor(f.namespace, f.relation);
        f.declared = declared;
        // Keto plans every step before running the first, so strict mode's type lookups fail first.
        f.types = this.strict ? expansionTypes(this.model, this.subject, declared) : undefined;
        const rewrite = declared?.rewrite;
        f.pc = 2;
        if (rewrite !== undefined) {
          this.enter(f.height);
          f.pc = 1;
          return this.startRewrite(f.namespace, f.object, rewrite, f.depth, f.height + 1, f.inSet);
        }
        return this.runIsAllowed(f);
      }
      case 1:
        if (this.unionChildDecides(f)) return MEMBER;
        f.pc = 2;
        return this.runIsAllowed(f);
      case 2: {
        if (!f.skipDirect && (!this.strict || allowsDirectMember(f.declared, this.subject))) {
          this.enter(f.height);
          const found = this.reads.direct(this.key(f), this.subjectNode);
          if (found < 0) return NEEDS_READS;
          this.trace?.tuple(f.node, f.namespace, f.object, f.relation, found === 1);
          if (found === 1) return MEMBER;
        }
        if (f.types !== undefined && f.types.length === 0) return f.limited || NOT_MEMBER;
        this.enter(f.height);
        f.pc = 3;
        const e = this.push(EXPAND, f.namespace, f.object, f.depth, f.height + 1, f.inSet);
        e.relation = f.relation;
        e.key = this.key(f);
        e.types = f.types;
        return CALLED;
      }
      default:
        return this.unionChildDecides(f) ? MEMBER : f.limited || NOT_MEMBER;
    }
  }

  /**
   * Keto's subject-set expansion of `key`: a look-ahead for the subject on every set (of
   * the declared types, in strict mode), then each set checked in turn, at most
   * `limit.max_read_width` of them, each once below the expansion that started the path's
   * visited set.
   */
  private runExpand(f: Frame): number {
    const reads = this.reads;
    switch (f.pc) {
      case 0: {
        if (f.depth <= 0) return UNKNOWN_DEPTH;
        const count = f.key < 0 ? 0 : reads.subjectSetCount(f.key);
        if (count < 0) return NEEDS_READS;
        let unread = false;
        let sets = count;
        if (f.types === undefined) {
          if (count === 0) return NOT_MEMBER;
          for (let i = 0; i < count; i++) {
            const set = reads.subjectSetAt(f.key, i);
            const found = reads.direct(set, this.subjectNode);
            if (found === 1) return this.lookedAhead(f, set);
            if (found < 0) unread = true;
          }
          f.typed = undefined;
        } else {
          const typed = this.typedSets(f.key, count, f.types);
          if (typed.length === 0) return NOT_MEMBER;
          for (const set of typed) {
            if (!this.typeOf(set, f.types)!.allowsDirect) continue;
            const found = reads.direct(set, this.subjectNode);
            if (found === 1) return this.lookedAhead(f, set);
            if (found < 0) unread = true;
          }
          f.typed = typed;
          sets = typed.length;
        }
        if (unread) return NEEDS_READS;
        if (f.depth <= 1) return UNKNOWN_DEPTH;
        f.limited = sets > this.width ? UNKNOWN_WIDTH : 0;
        f.i = 0;
        f.n = Math.min(sets, Math.max(0, this.width));
        f.pc = 1;
        return this.runExpand(f);
      }
      case 1: {
        if (!f.inSet) this.marks.renew();
        if (reads.prefetching && !this.touchUnvisited(f)) return NEEDS_READS;
        f.pc = 2;
        return this.nextExpansion(f);
      }
      default:
        return this.unionChildDecides(f) ? MEMBER : this.nextExpansion(f);
    }
  }

  /** The look-ahead found the subject stored on `set`. */
  private lookedAhead(f: Frame, set: number): typeof MEMBER {
    if (this.trace !== undefined) this.trace.tuple(f.node, this.reads.namespaceOf(set), this.reads.objectOf(set), this.reads.relationOf(set), true);
    return MEMBER;
  }

  private setAt(f: Frame, i: number): number {
    return f.typed === undefined ? this.reads.subjectSetAt(f.key, i) : f.typed[i]!;
  }

  private nextExpansion(f: Frame): number {
    while (f.i < f.n) {
      const set = this.setAt(f, f.i++);
      if (!this.marks.add(set)) continue;
      this.enter(f.height);
      const reads = this.reads;
      return this.isAllowed(reads.namespaceOf(set), reads.objectOf(set), reads.relationOf(set), set, f.depth - 1, f.height + 1, true, true);
    }
    return f.limited || NOT_MEMBER;
  }

  /** Asks for the stored sets of every set the expansion will visit; false while some are unread. */
  private touchUnvisited(f: Frame): boolean {
    let unvisited = 0;
    for (let i = f.i; i < f.n; i++) if (!this.marks.has(this.setAt(f, i))) unvisited++;
    if (unvisited < 2) return true;
    let read = true;
    for (let i = f.i; i < f.n; i++) {
      const set = this.setAt(f, i);
      if (!this.marks.has(set) && this.reads.subjectSetCount(set) < 0) read = false;
    }
    return read;
  }

  private typeOf(set: number, types: readonly ExpansionType[]): ExpansionType | undefined {
    const namespace = this.reads.namespaceOf(set);
    const relation = this.reads.relationOf(set);
    return types.find((t) => t.namespace === namespace && t.relation === relation);
  }

  private typedSets(key: number, count: number, types: readonly ExpansionType[]): number[] {
    const typed: number[] = [];
    for (let i = 0; i < count; i++) {
      const set = this.reads.subjectSetAt(key, i);
      if (this.typeOf(set, types) !== undefined) typed.push(set);
    }
    return typed;
  }

  private startRewrite(namespace: string, object: string, rewrite: CompiledRewrite, depth: number, height: number, inSet: boolean): typeof CALLED {
    this.push(REWRITE, namespace, object, depth, height, inSet).rewrite = rewrite;
    return CALLED;
  }

  /**
   * A rewrite: `or` is a union (a member decides), `and` an intersection (a non-member
   * decides); an empty one is not a member. For `or`, Keto first looks the subject up on
   * all computed relations at once, then checks each of them in full.
   */
  private runRewrite(f: Frame): number {
    const rewrite = f.rewrite!;
    switch (f.pc) {
      case 0: {
        if (f.depth <= 0) return UNKNOWN_DEPTH;
        if (rewrite.computed.length > 0) {
          const found = this.directOnComputed(f, rewrite.computed);
          if (found !== NOT_MEMBER) return found;
        }
        f.i = 0;
        f.pc = 1;
        return this.runRewrite(f);
      }
      case 1: {
        if (f.i < rewrite.computed.length) {
          const relation = rewrite.computed[f.i++]!;
          this.enter(f.height);
          f.pc = 2;
          return this.isAllowed(f.namespace, f.object, relation, UNRESOLVED, f.depth - 1, f.height + 1, f.inSet, true);
        }
        f.i = 0;
        f.pc = 3;
        return this.runRewrite(f);
      }
      case 2:
        if (this.unionChildDecides(f)) return MEMBER;
        f.pc = 1;
        return this.runRewrite(f);
      case 3: {
        if (f.i < rewrite.rest.length) {
          const child = rewrite.rest[f.i++]!;
          f.pc = 4;
          return this.startChild(f.namespace, f.object, child, child.kind === 'rewrite' ? f.depth - 1 : f.depth, f.height, f.inSet);
        }
        if (rewrite.computed.length === 0 && rewrite.rest.length === 0) return NOT_MEMBER;
        return f.limited || (rewrite.operator === 'and' ? MEMBER : NOT_MEMBER);
      }
      default: {
        const r = this.returned;
        if (r === (rewrite.operator === 'and' ? NOT_MEMBER : MEMBER)) return r;
        if (f.limited === 0 && isUnknown(r)) f.limited = r;
        f.pc = 3;
        return this.runRewrite(f);
      }
    }
  }

  /** Keto's DirectMulti step: MEMBER when the subject is stored on any computed relation, NEEDS_READS, or NOT_MEMBER. */
  private directOnComputed(f: Frame, computed: readonly string[]): number {
    let asked = false;
    let unread = false;
    for (const relation of computed) {
      if (this.strict && !allowsDirectMember(relationOrNone(this.model, f.namespace, relation), this.subject)) continue;
      if (!asked) this.enter(f.height);
      asked = true;
      const found = this.reads.direct(this.reads.setNode(f.namespace, f.object, relation), this.subjectNode);
      if (found === 1) {
        this.trace?.tuple(f.node, f.namespace, f.object, relation, true);
        return MEMBER;
      }
      if (found < 0) unread = true;
    }
    return unread ? NEEDS_READS : NOT_MEMBER;
  }

  /** A rewrite child, started by the step at `height`. */
  private startChild(namespace: string, object: string, child: CompiledChild, depth: number, height: number, inSet: boolean): typeof CALLED {
    this.enter(height);
    const h = height + 1;
    switch (child.kind) {
      case 'computed':
        this.enter(h);
        return this.isAllowed(namespace, object, child.relation, UNRESOLVED, depth, h + 1, inSet, false);
      case 'traverse': {
        const f = this.push(TRAVERSE, namespace, object, depth, h, inSet);
        f.relation = child.relation;
        f.computedRelation = child.computedRelation;
        return CALLED;
      }
      case 'rewrite':
        return this.startRewrite(namespace, object, child.rewrite, depth, h, inSet);
      case 'invert':
        this.push(INVERT, namespace, object, depth, h, inSet).child = child.child;
        return CALLED;
    }
  }

  private startInvertedChild(f: Frame): typeof CALLED {
    f.pc = 1;
    return this.startChild(f.namespace, f.object, f.child!, f.depth, f.height, f.inSet);
  }

  /**
   * Keto's traverse (tuple to subject set): the relation asked of every object the walked
   * relation points to, in the order Keto's listing query returns them (`traverseAt`: by
   * subject-set namespace, object UUID, relation), not the expansion's store order. Which
   * target comes first decides whether a cyclic descent uses up the call budget before an
   * answer is found elsewhere.
   */
  private runTraverse(f: Frame): number {
    const reads = this.reads;
    switch (f.pc) {
      case 0: {
        if (f.depth <= 0) return UNKNOWN_DEPTH;
        const key = reads.setNode(f.namespace, f.object, f.relation);
        const count = key < 0 ? 0 : reads.traverseCount(key);
        if (count < 0) return NEEDS_READS;
        f.key = key;
        f.i = 0;
        f.n = count;
        if (reads.prefetching && count >= 2 && !this.touchTargets(f)) return NEEDS_READS;
        f.pc = 1;
        return this.nextTarget(f);
      }
      default:
        return this.unionChildDecides(f) ? MEMBER : this.nextTarget(f);
    }
  }

  private nextTarget(f: Frame): number {
    if (f.i >= f.n) return f.limited || NOT_MEMBER;
    const reads = this.reads;
    const set = reads.traverseAt(f.key, f.i++);
    this.enter(f.height);
    return this.isAllowed(reads.namespaceOf(set), reads.objectOf(set), f.computedRelation, UNRESOLVED, f.depth - 1, f.height + 1, f.inSet, false);
  }

  /** Asks for the direct answers and stored sets of every object the traverse will visit; false while some are unread. */
  private touchTargets(f: Frame): boolean {
    const reads = this.reads;
    let read = true;
    for (let i = 0; i < f.n; i++) {
      const set = reads.traverseAt(f.key, i);
      const target = reads.setNode(reads.namespaceOf(set), reads.objectOf(set), f.computedRelation);
      if (reads.direct(target, this.subjectNode) < 0) read = false;
      if (reads.subjectSetCount(target) < 0) read = false;
    }
    return read;
  }
}

const STEP_OF: Record<number, TraceNode['step']> = { [IS_ALLOWED]: 'check', [REWRITE]: 'rewrite', [EXPAND]: 'expand', [TRAVERSE]: 'traverse', [INVERT]: 'not' };

/** Fills in a frame's record as it ends. */
function describe(f: Frame, result: StepResult): void {
  const node = f.node!;
  node.step = STEP_OF[f.kind]!;
  node.namespace = f.namespace;
  node.object = f.object;
  if (f.kind === IS_ALLOWED || f.kind === EXPAND || f.kind === TRAVERSE) node.relation = f.relation;
  if (f.kind === TRAVERSE) node.computed = f.computedRelation;
  if (f.kind === REWRITE) node.operator = f.rewrite!.operator;
  node.result = result;
}
