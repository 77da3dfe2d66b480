import type { Subject } from '../tuple.js';
import { allowsDirectMember, type ExpansionType, expansionTypes, relationOrNone } from './check-steps.js';
import type { CompiledChild, CompiledModel, CompiledRewrite } from './compiled-model.js';
import type { CheckSettings } from './limits.js';
import { invert, isUnknown, MEMBER, NOT_MEMBER, type Outcome, UNKNOWN_DEPTH, UNKNOWN_WIDTH } from './outcome.js';
import type { InternedReads } from './source.js';
import { callBudgetExceeded, SLICE_STEPS } from './step-driver.js';

/** A node not looked up yet. */
const UNRESOLVED = -2;

/** Thrown inside a check that ran past its step allowance, caught at its top. */
const GAVE_UP = Symbol('gave up');

/**
 * Keto's subject-set visited marks, one generation per set. A check holds at most one
 * live set at a time: a set is made only where no enclosing step has one, and lives for
 * that step's subtree, so bumping the generation starts a new, empty set.
 */
export class VisitMarks {
  private marks = new Int32Array(1024);
  private generation = 0;

  /** Starts a new, empty set. */
  renew(): void {
    if (++this.generation === 0x7fffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }

  /** Adds `node` to the live set; false when it was already in it. */
  add(node: number): boolean {
    if (node >= this.marks.length) {
      const grown = new Int32Array(Math.max(node + 1, this.marks.length * 2));
      grown.set(this.marks);
      this.marks = grown;
    }
    if (this.marks[node] === this.generation) return false;
    this.marks[node] = this.generation;
    return true;
  }
}

/**
 * The check steps of check-steps.ts (same order, short-circuits, limits and per-path call
 * budget), evaluated by node over the in-memory index as plain recursive calls: no
 * generator, Promise or object per hop. `height` is the number of steps on the path,
 * which the step engine keeps on its stack. A check that takes more than SLICE_STEPS
 * steps gives up (undefined): the step engine then runs it, letting the event loop turn.
 */
export function checkByNode(
  model: CompiledModel,
  ids: InternedReads,
  settings: CheckSettings,
  marks: VisitMarks,
  maxPath: number,
  q: { readonly namespace: string; readonly object: string; readonly relation: string; readonly subject: Subject; readonly depth: number },
): Outcome | undefined {
  const walk = new NodeWalk(model, ids, settings, marks, maxPath, q.subject);
  try {
    return walk.isAllowed(q.namespace, q.object, q.relation, UNRESOLVED, q.depth, 1, false, false);
  } catch (err) {
    if (err === GAVE_UP) return undefined;
    throw err;
  }
}

class NodeWalk {
  private readonly subjectNode: number;
  private readonly strict: boolean;
  private readonly width: number;
  private steps = 0;

  constructor(
    private readonly model: CompiledModel,
    private readonly ids: InternedReads,
    settings: CheckSettings,
    private readonly marks: VisitMarks,
    private readonly maxPath: number,
    private readonly subject: Subject,
  ) {
    this.subjectNode = ids.subjectNode(subject);
    this.strict = settings.strictMode;
    this.width = settings.maxReadWidth;
  }

  /** A step about to start a child (or do a leaf's lookup) on a path of `height` steps. */
  private enter(height: number): void {
    if (height >= this.maxPath) throw callBudgetExceeded();
    if (++this.steps > SLICE_STEPS) throw GAVE_UP;
  }

  private stored(key: number): boolean {
    return key >= 0 && this.subjectNode >= 0 && this.ids.linked(key, this.subjectNode);
  }

  isAllowed(ns: string, obj: string, rel: string, key: number, depth: number, height: number, inSet: boolean, skipDirect: boolean): Outcome {
    if (depth <= 0) return UNKNOWN_DEPTH;
    const relation = this.model.relationFor(ns, rel);
    const types = this.strict ? expansionTypes(this.model, this.subject, relation) : undefined;
    let limited: Outcome | undefined;
    const rewrite = relation?.rewrite;
    if (rewrite !== undefined) {
      this.enter(height);
      const r = this.rewrite(ns, obj, rewrite, depth, height + 1, inSet);
      if (r === MEMBER) return MEMBER;
      if (isUnknown(r)) limited = r;
    }
    if (!skipDirect && (!this.strict || allowsDirectMember(relation, this.subject))) {
      this.enter(height);
      if (key === UNRESOLVED) key = this.ids.setNode(ns, obj, rel);
      if (this.stored(key)) return MEMBER;
    }
    if (types === undefined || types.length > 0) {
      this.enter(height);
      if (key === UNRESOLVED) key = this.ids.setNode(ns, obj, rel);
      const r = types === undefined ? this.expandAll(key, depth, height + 1, inSet) : this.expandTyped(key, depth, height + 1, inSet, types);
      if (r === MEMBER) return MEMBER;
      if (limited === undefined && isUnknown(r)) limited = r;
    }
    return limited ?? NOT_MEMBER;
  }

  /** Keto's subject-set expansion over every stored set. */
  private expandAll(key: number, depth: number, height: number, inSet: boolean): Outcome {
    if (depth <= 0) return UNKNOWN_DEPTH;
    const ids = this.ids;
    const count = key < 0 ? 0 : ids.subjectSetCount(key);
    if (count === 0) return NOT_MEMBER;
    for (let i = 0; i < count; i++) if (this.stored(ids.subjectSetAt(key, i))) return MEMBER;
    return this.expandSets(key, undefined, count, depth, height, inSet);
  }

  /** Strict mode's expansion: only the sets of the relation's declared types. */
  private expandTyped(key: number, depth: number, height: number, inSet: boolean, types: readonly ExpansionType[]): Outcome {
    if (depth <= 0) return UNKNOWN_DEPTH;
    const ids = this.ids;
    const typeOf = (set: number) => {
      const ns = ids.namespaceOf(set);
      const rel = ids.relationOf(set);
      return types.find((t) => t.namespace === ns && t.relation === rel);
    };
    const sets: number[] = [];
    for (let i = 0, count = key < 0 ? 0 : ids.subjectSetCount(key); i < count; i++) {
      const set = ids.subjectSetAt(key, i);
      if (typeOf(set) !== undefined) sets.push(set);
    }
    if (sets.length === 0) return NOT_MEMBER;
    if (sets.some((set) => typeOf(set)?.allowsDirect === true && this.stored(set))) return MEMBER;
    return this.expandSets(key, sets, sets.length, depth, height, inSet);
  }

  /**
   * The rest of an expansion after its look-ahead: each of the first `count` sets (stored on
   * `key`, or `typed` in strict mode), at most `limit.max_read_width`, once per visited set.
   */
  private expandSets(key: number, typed: readonly number[] | undefined, count: number, depth: number, height: number, inSet: boolean): Outcome {
    if (depth <= 1) return UNKNOWN_DEPTH;
    if (!inSet) this.marks.renew();
    const ids = this.ids;
    let limited: Outcome | undefined = count > this.width ? UNKNOWN_WIDTH : undefined;
    for (let i = 0, n = Math.min(count, Math.max(0, this.width)); i < n; i++) {
      const set = typed === undefined ? ids.subjectSetAt(key, i) : typed[i]!;
      if (!this.marks.add(set)) continue;
      this.enter(height);
      const r = this.isAllowed(ids.namespaceOf(set), ids.objectOf(set), ids.relationOf(set), set, depth - 1, height + 1, true, true);
      if (r === MEMBER) return MEMBER;
      if (limited === undefined && isUnknown(r)) limited = r;
    }
    return limited ?? NOT_MEMBER;
  }

  private rewrite(ns: string, obj: string, rewrite: CompiledRewrite, depth: number, height: number, inSet: boolean): Outcome {
    if (depth <= 0) return UNKNOWN_DEPTH;
    const decisive = rewrite.operator === 'and' ? NOT_MEMBER : MEMBER;
    let limited: Outcome | undefined;
    if (rewrite.computed.length > 0) {
      const direct = this.strict
        ? rewrite.computed.filter((r) => allowsDirectMember(relationOrNone(this.model, ns, r), this.subject))
        : rewrite.computed;
      if (direct.length > 0) {
        this.enter(height);
        for (const rel of direct) if (this.stored(this.ids.setNode(ns, obj, rel))) return MEMBER;
      }
      for (const rel of rewrite.computed) {
        this.enter(height);
        const r = this.isAllowed(ns, obj, rel, UNRESOLVED, depth - 1, height + 1, inSet, true);
        if (r === MEMBER) return MEMBER;
        if (limited === undefined && isUnknown(r)) limited = r;
      }
    }
    for (const child of rewrite.rest) {
      const r = this.child(ns, obj, child, child.kind === 'rewrite' ? depth - 1 : depth, height, inSet);
      if (r === decisive) return r;
      if (limited === undefined && isUnknown(r)) limited = r;
    }
    if (rewrite.computed.length === 0 && rewrite.rest.length === 0) return NOT_MEMBER;
    return limited ?? (decisive === MEMBER ? NOT_MEMBER : MEMBER);
  }

  /** A rewrite child, started by the step at `height`. */
  private child(ns: string, obj: string, child: CompiledChild, depth: number, height: number, inSet: boolean): Outcome {
    this.enter(height);
    const h = height + 1;
    switch (child.kind) {
      case 'computed':
        this.enter(h);
        return this.isAllowed(ns, obj, child.relation, UNRESOLVED, depth, h + 1, inSet, false);
      case 'traverse':
        return this.traverse(ns, obj, child.relation, child.computedRelation, depth, h, inSet);
      case 'rewrite':
        return this.rewrite(ns, obj, child.rewrite, depth, h, inSet);
      case 'invert':
        return invert(this.child(ns, obj, child.child, depth, h, inSet));
    }
  }

  private traverse(ns: string, obj: string, relation: string, computedRelation: string, depth: number, height: number, inSet: boolean): Outcome {
    if (depth <= 0) return UNKNOWN_DEPTH;
    const ids = this.ids;
    const key = ids.setNode(ns, obj, relation);
    let limited: Outcome | undefined;
    for (let i = 0, count = key < 0 ? 0 : ids.subjectSetCount(key); i < count; i++) {
      const set = ids.subjectSetAt(key, i);
      this.enter(height);
      const r = this.isAllowed(ids.namespaceOf(set), ids.objectOf(set), computedRelation, UNRESOLVED, depth - 1, height + 1, inSet, false);
      if (r === MEMBER) return MEMBER;
      if (limited === undefined && isUnknown(r)) limited = r;
    }
    return limited ?? NOT_MEMBER;
  }
}
