import type { InternedReads } from '../reader.js';
import type { CompiledModel } from './compiled-model.js';
import { MAX_CALL_STEPS } from './limits.js';

/** Pairs (a key storing the subject, a key storing that one) tried before the evaluator is left to answer. */
const MAX_TRIES = 64;

/**
 * Proofs that a check is allowed, read upward from the subject along the index's reverse
 * edges instead of walking down from the key: where groups nest deeply and each group sits
 * in one parent, the way up is a single chain while the walk down fans out.
 *
 * A proof is only given when the evaluator is certain to answer allowed — never an
 * answer of its own: when it cannot prove, the evaluator decides. Below a key whose every
 * reachable relation (by the stored kinds of subject sets) is plain — declared without a
 * rewrite, or undeclared in a namespace that declares none — Keto's check is a depth-first
 * walk of subject sets with one visited set, in which nothing can fail but the call budget
 * (ruled out by the depth: a plain hop takes two steps) and every set it enters is entered
 * with depth left, so its look-ahead (over all its subject sets, width aside) runs. The
 * check is therefore allowed as soon as the walk is sure to enter a node `x` that stores a
 * set `c` storing the subject. It is sure to when there is a chain `key → n1 → … → x` of
 * at most `depth - 1` hops in which:
 *  - `n1` is the first subject set of the key (the root enters it first, whatever else
 *    follows), or its only holder is the key, which nothing stores (so the key is entered
 *    once, at the root) and which lists it among its first `width` sets;
 *  - every later node has one holder only, its predecessor, which lists it among its first
 *    `width` sets: that node can only be entered from there, and is, at the depth the
 *    chain gives it.
 * The subject stored on the key itself, or on one of its sets, is found at the root.
 */
export class MemberProofs {
  private model: CompiledModel | undefined;
  private version = -1;
  /** namespace → relation → whether every relation reachable below it is plain. */
  private readonly plain = new Map<string, Map<string, boolean>>();

  /** Whether a check of `namespace:…#relation` outside strict mode can be proved upward at all. */
  applies(model: CompiledModel, reads: InternedReads, namespace: string, relation: string): boolean {
    return this.plainBelow(model, reads, namespace, relation);
  }

  /**
   * The hops of the path that proves `subject` (a node) stored below `key` (a node of a
   * relation the proofs apply to) for a check of `depth` and `width`, or 0 when no proof is
   * at hand.
   */
  hops(reads: InternedReads, key: number, subject: number, depth: number, width: number): number {
    if (key < 0 || subject < 0 || depth < 1 || width < 1 || 2 * depth > MAX_CALL_STEPS) return 0;
    // One scan of the shorter of the key's and the subject's lists, before the subject's holders are walked.
    if (reads.direct(key, subject) === 1) return 1;
    let tries = MAX_TRIES;
    for (let i = 0, holders = reads.holderCount(subject); i < holders; i++) {
      const set = reads.holderAt(subject, i);
      for (let j = 0, n = reads.holderCount(set); j < n; j++) {
        const x = reads.holderAt(set, j);
        if (x === key) return 2;
        const below = chainFrom(reads, key, x, depth, width);
        if (below >= 0) return below + 3;
        if (--tries === 0) return 0;
      }
    }
    return 0;
  }

  private plainBelow(model: CompiledModel, reads: InternedReads, namespace: string, relation: string): boolean {
    if (model !== this.model || reads.setKindsVersion !== this.version) {
      this.plain.clear();
      this.model = model;
      this.version = reads.setKindsVersion;
    }
    let relations = this.plain.get(namespace);
    if (relations === undefined) this.plain.set(namespace, (relations = new Map()));
    let plain = relations.get(relation);
    if (plain === undefined) relations.set(relation, (plain = reachesOnlyPlain(model, reads, namespace, relation)));
    return plain;
  }
}

/**
 * Edges from the key's set `n1` down to `x` on a chain as the proof needs it, or -1: `x`
 * is then entered with depth left (a chain of `h` hops under the root needs a depth of `h + 2`).
 */
function chainFrom(reads: InternedReads, key: number, x: number, depth: number, width: number): number {
  let node = x;
  for (let below = 0; below + 2 <= depth; below++) {
    const holders = reads.holderCount(node);
    const holder = holders === 1 ? reads.holderAt(node, 0) : -1;
    if (holder < 0 || holder === key) {
      const first = reads.subjectSetCount(key) > 0 && reads.subjectSetAt(key, 0) === node;
      return first || (holder === key && reads.holderCount(key) === 0 && listsEarly(reads, key, node, width)) ? below : -1;
    }
    if (!listsEarly(reads, holder, node, width)) return -1;
    node = holder;
  }
  return -1;
}

/** Whether `set`, which `key` stores, is among the first `width` subject-set rows of `key` (the ones an expansion enters). */
function listsEarly(reads: InternedReads, key: number, set: number, width: number): boolean {
  const n = reads.subjectSetCount(key);
  if (n <= width) return true;
  for (let i = 0; i < width; i++) if (reads.subjectSetAt(key, i) === set) return true;
  return false;
}

/** Whether every relation a walk down from `namespace#relation` can enter (by the stored kinds) is plain. */
function reachesOnlyPlain(model: CompiledModel, reads: InternedReads, namespace: string, relation: string): boolean {
  const seen = new Set<string>();
  const pending = [{ namespace, relation }];
  for (let kind = pending.pop(); kind !== undefined; kind = pending.pop()) {
    const name = `${kind.namespace.length}:${kind.namespace}#${kind.relation}`;
    if (seen.has(name)) continue;
    seen.add(name);
    if (!isPlain(model, kind.namespace, kind.relation)) return false;
    pending.push(...reads.setKindsUnder(kind.namespace, kind.relation));
  }
  return true;
}

/** Whether the evaluator's step on the relation is a plain union of stored subjects (no rewrite, no error). */
function isPlain(model: CompiledModel, namespace: string, relation: string): boolean {
  try {
    return model.relationFor(namespace, relation)?.rewrite === undefined;
  } catch {
    return false;
  }
}
