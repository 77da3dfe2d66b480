import { MEMBER, NOT_MEMBER, type Outcome, UNKNOWN_DEPTH } from './outcome.js';

/** How one step of a check ended. */
export type StepResult = 'allowed' | 'denied' | 'max_depth_exceeded' | 'max_width_exceeded' | 'call_budget_exceeded';

/**
 * Why a check answered as it did: the steps the evaluator took, in its order. An allowed
 * step keeps only what granted it (the one branch of a union that held; every branch of
 * an intersection; the denied branch under a `!`); a denied step keeps every branch it
 * tried, each with why it failed.
 */
export interface Explanation {
  /**
   * `check`: does the subject have `relation` on `namespace:object`; `tuple`: is the subject
   * stored directly on that key; `expand`: the subject sets stored on the key, each checked;
   * `rewrite`: the permit's `||` / `&&`; `traverse`: `relation` walked, `computed` asked of
   * each object reached; `not`: `!`.
   */
  readonly step: 'check' | 'tuple' | 'expand' | 'rewrite' | 'traverse' | 'not';
  readonly namespace?: string;
  readonly object?: string;
  readonly relation?: string;
  readonly operator?: 'or' | 'and';
  readonly computed?: string;
  readonly result: StepResult;
  readonly children: readonly Explanation[];
}

/** Steps recorded at most per explanation; a larger evaluation says it was cut. */
export const MAX_EXPLAINED_STEPS = 10_000;

export const stepResultOf = (o: Outcome): StepResult =>
  o === MEMBER ? 'allowed' : o === NOT_MEMBER ? 'denied' : o === UNKNOWN_DEPTH ? 'max_depth_exceeded' : 'max_width_exceeded';

/** A step being recorded: filled in when it ends. */
export interface TraceNode {
  step: Explanation['step'];
  namespace?: string;
  object?: string;
  relation?: string;
  operator?: 'or' | 'and';
  computed?: string;
  result: StepResult;
  children: TraceNode[];
}

/** What one explained evaluation recorded. */
export class Trace {
  readonly root: TraceNode = { step: 'check', result: 'denied', children: [] };
  private recorded = 0;
  /** Set when MAX_EXPLAINED_STEPS cut the recording short. */
  truncated = false;

  /** A new step under `parent`, or undefined once the cap is reached. */
  open(parent: TraceNode): TraceNode | undefined {
    if (++this.recorded > MAX_EXPLAINED_STEPS) {
      this.truncated = true;
      return undefined;
    }
    const node: TraceNode = { step: 'check', result: 'denied', children: [] };
    parent.children.push(node);
    return node;
  }

  /** A direct lookup of the subject on `namespace:object#relation`. */
  tuple(parent: TraceNode | undefined, namespace: string, object: string, relation: string, found: boolean): void {
    const node = parent === undefined ? undefined : this.open(parent);
    if (node === undefined) return;
    node.step = 'tuple';
    node.namespace = namespace;
    node.object = object;
    node.relation = relation;
    node.result = found ? 'allowed' : 'denied';
  }
}

/** The recorded steps as an explanation: an allowed step keeps only what granted it. */
export function explanationOf(node: TraceNode): Explanation {
  let children = node.children;
  if (node.result === 'allowed') {
    if (node.step === 'not') children = children.filter((c) => c.result === 'denied');
    else if (!(node.step === 'rewrite' && node.operator === 'and')) children = children.filter((c) => c.result === 'allowed').slice(-1);
  }
  const { step, namespace, object, relation, operator, computed, result } = node;
  return {
    step,
    ...(namespace === undefined ? {} : { namespace }),
    ...(object === undefined ? {} : { object }),
    ...(relation === undefined ? {} : { relation }),
    ...(operator === undefined ? {} : { operator }),
    ...(computed === undefined ? {} : { computed }),
    result,
    children: children.map(explanationOf),
  };
}
