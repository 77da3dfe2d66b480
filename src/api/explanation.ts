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
