import type { Namespace, RewriteChild } from '../../../src/model.js';

/** A rewrite written compactly: `['or', child…]`, `['and', child…]`, `['!', child]`, `'rel'` or `['rel', 'target']` (traverse). */
export type Shape = string | [string, string] | ['or' | 'and', ...Shape[]] | ['!', Shape];

export function shapeOf(child: RewriteChild): Shape {
  switch (child.type) {
    case 'rewrite':
      return [child.operator, ...child.children.map(shapeOf)];
    case 'computed_subject_set':
      return child.relation;
    case 'tuple_to_subject_set':
      return [child.relation, child.computedSubjectSetRelation];
    case 'invert':
      return ['!', shapeOf(child.child)];
  }
}

/** The permits of a namespace as shapes, by name. */
export function permitShapes(namespace: Namespace | undefined): Record<string, Shape> {
  const out: Record<string, Shape> = {};
  for (const r of namespace?.relations ?? []) if (r.rewrite) out[r.name] = shapeOf(r.rewrite);
  return out;
}
