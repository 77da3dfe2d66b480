import type { Explanation } from '../engine/explanation.js';

/** An explanation as gatehouse's REST API writes it (the same fields, each step's children nested). */
export interface ExplanationJson {
  step: Explanation['step'];
  namespace?: string;
  object?: string;
  relation?: string;
  operator?: 'or' | 'and';
  computed?: string;
  result: Explanation['result'];
  children: ExplanationJson[];
}

/** Built without recursion: an explanation is as deep as the evaluation was. */
export function explanationToJson(root: Explanation): ExplanationJson {
  const convert = (e: Explanation): ExplanationJson => ({
    step: e.step,
    ...(e.namespace === undefined ? {} : { namespace: e.namespace }),
    ...(e.object === undefined ? {} : { object: e.object }),
    ...(e.relation === undefined ? {} : { relation: e.relation }),
    ...(e.operator === undefined ? {} : { operator: e.operator }),
    ...(e.computed === undefined ? {} : { computed: e.computed }),
    result: e.result,
    children: [],
  });
  const out = convert(root);
  const pending: [Explanation, ExplanationJson][] = [[root, out]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next;
    for (const child of from.children) {
      const converted = convert(child);
      to.children.push(converted);
      pending.push([child, converted]);
    }
  }
  return out;
}

/** One step of an explanation as gatehouse's gRPC API sends it (`gatehouse.v1.ExplanationStep`). */
export interface ExplanationStepProto {
  parent: number;
  step: string;
  namespace: string;
  object: string;
  relation: string;
  operator: string;
  computed: string;
  result: string;
}

/** The steps in pre-order, each naming its parent's index (-1 for the root). */
export function explanationToSteps(root: Explanation): ExplanationStepProto[] {
  const steps: ExplanationStepProto[] = [];
  const pending: [Explanation, number][] = [[root, -1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [e, parent] = next;
    const index = steps.length;
    steps.push({
      parent,
      step: e.step,
      namespace: e.namespace ?? '',
      object: e.object ?? '',
      relation: e.relation ?? '',
      operator: e.operator ?? '',
      computed: e.computed ?? '',
      result: e.result,
    });
    for (let i = e.children.length - 1; i >= 0; i--) pending.push([e.children[i]!, index]);
  }
  return steps;
}

const STEPS: readonly string[] = ['check', 'tuple', 'expand', 'rewrite', 'traverse', 'not'];
/** Steps about one `namespace:object#relation`; a rewrite or `!` names only the object. */
const KEYED_STEPS: readonly string[] = ['check', 'tuple', 'expand', 'traverse'];
const RESULTS: readonly string[] = ['allowed', 'denied', 'max_depth_exceeded', 'max_width_exceeded', 'call_budget_exceeded'];

/** The tree the steps describe; throws on steps that do not form one (a parent after its child, an unknown step or result). */
export function explanationFromSteps(steps: readonly ExplanationStepProto[]): Explanation {
  const nodes: ExplanationJson[] = [];
  steps.forEach((s, i) => {
    if (!STEPS.includes(s.step) || !RESULTS.includes(s.result)) throw new Error(`explanation step ${i}: unknown step ${JSON.stringify(s.step)} or result ${JSON.stringify(s.result)}`);
    if (i === 0 ? s.parent !== -1 : !(s.parent >= 0 && s.parent < i)) throw new Error(`explanation step ${i}: parent ${s.parent} does not precede it`);
    const node: ExplanationJson = {
      step: s.step as ExplanationJson['step'],
      namespace: s.namespace,
      object: s.object,
      ...(KEYED_STEPS.includes(s.step) ? { relation: s.relation } : {}),
      ...(s.step === 'rewrite' ? { operator: s.operator === 'and' ? 'and' : 'or' } : {}),
      ...(s.step === 'traverse' ? { computed: s.computed } : {}),
      result: s.result as ExplanationJson['result'],
      children: [],
    };
    nodes.push(node);
    if (i > 0) nodes[s.parent]!.children.push(node);
  });
  if (nodes[0] === undefined) throw new Error('the explanation has no steps');
  return nodes[0];
}
