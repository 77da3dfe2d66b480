import type { CancelSignal } from '../cancellation.js';
import { type ExpandNodeType, type ExpandTree, type ExpandTreeTuple, expandNode } from './expand-tree.js';
import { unknownNamespace } from '../errors.js';
import type { ModelSnapshot, RewriteChild, TupleToSubjectSet } from '../model.js';
import type { Subject, SubjectSet } from '../tuple.js';
import { compileModel, type CompiledModel, type CompiledRelation } from './compiled-model.js';
import { clampDepth } from './limits.js';
import { ALL_ROWS, type Consistency, DEFAULT_CONSISTENCY, type MaybePromise, type Readers, type TupleSource } from '../reader.js';
import { Call, type Step, StepStack } from './step-driver.js';

/** Keto reads an expanded relation in pages of this many rows and stops between pages once the tree is full. */
export const EXPAND_PAGE_SIZE = 100;

export interface ExpandSettings {
  readonly maxReadDepth: number;
  /** `limit.max_expand_size`: nodes after which no further page is read. */
  readonly maxExpandSize: number;
  readonly strictMode: boolean;
  /** `feature_flags.expand_rewrites`: follow permits' rewrites instead of listing their stored tuples. */
  readonly expandRewrites: boolean;
}

export interface ExpandEngineDeps {
  /** Where the tuples are read, at the revision a request's consistency asks for. */
  readonly reads: Readers;
  readonly model: () => ModelSnapshot;
  readonly settings: () => ExpandSettings;
}

/** A tree node while the tree grows (an ExpandTree whose fields are still being filled in). */
interface Node {
  type: ExpandNodeType;
  tuple?: ExpandTreeTuple;
  children: Node[];
}

interface Build {
  readonly model: CompiledModel;
  readonly source: TupleSource;
  readonly settings: ExpandSettings;
  /** Subject sets on the current path (a repeat is a cycle and is not expanded again). */
  readonly onPath: Set<string>;
  nodes: number;
}

const setKey = (s: SubjectSet): string => `${s.namespace}\u0000${s.object}\u0000${s.relation}`;
const node = (type: ExpandNodeType, subject: Subject | undefined): Node => expandNode(type, subject, []) as Node;
/** A compound rewrite nested in another has no subject of its own. */
const dropSubject = (n: Node): void => {
  n.tuple = expandNode(n.type, undefined).tuple;
};
const full = (b: Build): boolean => b.nodes >= b.settings.maxExpandSize;

/** Keto's order of a rewrite's children in an expand tree: cheap lookups first (a stable sort). */
const REWRITE_CHILD_COST: Readonly<Record<RewriteChild['type'], number>> = {
  computed_subject_set: 0,
  tuple_to_subject_set: 1,
  rewrite: 2,
  invert: 3,
};

/**
 * Keto's Expand: the tree of who has a relation on an object. Subject sets are expanded
 * recursively until the depth runs out; the tree stops growing (between pages of 100
 * rows) once it holds `limit.max_expand_size` nodes; a subject set already on the path is
 * shown but not expanded again. With `expand_rewrites`, permits are expanded through
 * their rewrites (union, intersection, exclusion); otherwise their stored tuples are
 * listed like a relation's.
 */
export class ExpandEngine {
  constructor(private readonly deps: ExpandEngineDeps) {}

  /**
   * The tree, or undefined when strict mode finds nothing to expand (an undeclared
   * relation, or one with neither types nor rewrite). Throws not_found for an unknown namespace.
   */
  expand(subjectSet: SubjectSet, maxDepth?: number, consistency: Consistency = DEFAULT_CONSISTENCY, signal?: CancelSignal): MaybePromise<ExpandTree | undefined> {
    const source = this.deps.reads.open(consistency);
    return source instanceof Promise ? source.then((s) => this.expandOn(s, subjectSet, maxDepth, signal)) : this.expandOn(source, subjectSet, maxDepth, signal);
  }

  private expandOn(source: TupleSource, subjectSet: SubjectSet, maxDepth: number | undefined, signal: CancelSignal | undefined): MaybePromise<ExpandTree | undefined> {
    const settings = this.deps.settings();
    const model = compileModel(this.deps.model());
    if (!model.hasNamespace(subjectSet.namespace)) throw unknownNamespace(subjectSet.namespace);
    if (settings.strictMode) {
      const rel = model.findRelation(subjectSet.namespace, subjectSet.relation);
      if (rel === undefined || (rel.types.length === 0 && rel.rewrite === undefined)) return undefined;
    }
    const b: Build = { model, source, settings, onPath: new Set(), nodes: 0 };
    // Nested expansions run on the driver's explicit stack: a deep tree never deepens the JS stack.
    return new StepStack(signal).run<ExpandTree | undefined>(expandSubject(b, { set: subjectSet }, clampDepth(maxDepth, settings.maxReadDepth)));
  }
}

const expandCall = (b: Build, subject: Subject, depth: number) => new Call(() => expandSubject(b, subject, depth));

function* expandSubject(b: Build, subject: Subject, depth: number): Step<Node | undefined> {
  if (!('set' in subject) || subject.set.relation === '') {
    b.nodes++;
    return node('leaf', subject);
  }
  const set = subject.set;
  const key = setKey(set);
  if (b.onPath.has(key)) return node('union', subject);
  b.onPath.add(key);
  try {
    const rel = b.model.findRelation(set.namespace, set.relation);
    if (rel === undefined && b.settings.strictMode) return undefined;
    const rewrite = rel?.source.rewrite;
    if (rewrite !== undefined && b.settings.expandRewrites) return (yield new Call(() => expandRewrite(b, set, rewrite, depth))) as Node | undefined;
    return (yield new Call(() => expandStored(b, set, rel, depth))) as Node | undefined;
  } finally {
    b.onPath.delete(key);
  }
}

/** The rows of `set`, in pages: whether the page starting at `start` is the last one. */
const isLastPage = (rows: readonly unknown[], start: number) => rows.length <= start + EXPAND_PAGE_SIZE;

function declaresSubject(rel: CompiledRelation, s: Subject): boolean {
  return 'set' in s && rel.types.some((t) => t.namespace === s.set.namespace && (t.relation ?? '') === s.set.relation);
}

function* expandStored(b: Build, set: SubjectSet, rel: CompiledRelation | undefined, depth: number): Step<Node | undefined> {
  const tree = node('union', { set });
  if (full(b) || depth <= 1) return tree;
  const filtering = b.settings.strictMode && rel !== undefined;
  // Every row counts toward the node limit unless strict mode filters rows out, so the
  // pages needed to fill the tree (plus one row, to know whether more follow) are enough.
  const wanted = filtering ? ALL_ROWS : Math.ceil((b.settings.maxExpandSize - b.nodes) / EXPAND_PAGE_SIZE) * EXPAND_PAGE_SIZE + 1;
  const rows = ((yield b.source.subjects([set], wanted)) as Subject[][])[0] ?? [];
  for (let start = 0; start < rows.length; start += EXPAND_PAGE_SIZE) {
    const pageStart = tree.children.length;
    for (const s of rows.slice(start, start + EXPAND_PAGE_SIZE)) {
      if (filtering && !declaresSubject(rel, s)) continue;
      tree.children.push(node('set' in s && s.set.relation !== '' ? 'union' : 'leaf', s));
      b.nodes++;
    }
    const truncated = full(b) && !isLastPage(rows, start);
    for (const child of tree.children.slice(pageStart)) {
      if (child.type === 'leaf') continue;
      const expanded = (yield expandCall(b, child.tuple?.subject as Subject, depth - 1)) as Node | undefined;
      if (expanded !== undefined) Object.assign(child, expanded);
    }
    if (truncated) break;
  }
  return tree;
}

function* expandRewrite(b: Build, set: SubjectSet, child: RewriteChild, depth: number): Step<Node | undefined> {
  switch (child.type) {
    case 'rewrite': {
      const tree = node(child.operator === 'and' ? 'intersection' : 'union', { set });
      const ordered = [...child.children].sort((x, y) => REWRITE_CHILD_COST[x.type] - REWRITE_CHILD_COST[y.type]);
      for (const c of ordered) {
        const sub = (yield new Call(() => expandRewrite(b, set, c, depth))) as Node | undefined;
        if (sub === undefined) continue;
        if (c.type === 'rewrite') dropSubject(sub);
        tree.children.push(sub);
      }
      return tree;
    }
    case 'computed_subject_set':
      return (yield expandCall(b, { set: { namespace: set.namespace, object: set.object, relation: child.relation } }, depth - 1)) as Node | undefined;
    case 'tuple_to_subject_set':
      return (yield new Call(() => expandTraverse(b, set, child, depth))) as Node | undefined;
    case 'invert': {
      const tree = node('exclusion', undefined);
      const sub = (yield new Call(() => expandRewrite(b, set, child.child, depth))) as Node | undefined;
      if (sub !== undefined) {
        if (child.child.type === 'rewrite') dropSubject(sub);
        tree.children.push(sub);
      }
      return tree;
    }
  }
}

function* expandTraverse(b: Build, set: SubjectSet, ttu: TupleToSubjectSet, depth: number): Step<Node | undefined> {
  const via = { namespace: set.namespace, object: set.object, relation: ttu.relation };
  const tree = node('union', { set: via });
  if (full(b) || depth <= 1) return tree;
  const rows = ((yield b.source.subjects([via], ALL_ROWS)) as Subject[][])[0] ?? [];
  for (let start = 0; start < rows.length; start += EXPAND_PAGE_SIZE) {
    const sets: SubjectSet[] = [];
    for (const s of rows.slice(start, start + EXPAND_PAGE_SIZE)) {
      if (!('set' in s)) continue;
      sets.push(s.set);
      b.nodes++;
    }
    const truncated = full(b) && !isLastPage(rows, start);
    for (const s of sets) {
      const target = { namespace: s.namespace, object: s.object, relation: ttu.computedSubjectSetRelation };
      const sub = (yield expandCall(b, { set: target }, depth - 1)) as Node | undefined;
      if (sub !== undefined) tree.children.push(sub);
    }
    if (truncated) break;
  }
  return tree;
}
