import type {
  ComputedSubjectSet,
  RewriteOperator,
  SubjectSetRewrite,
  TupleToSubjectSet,
} from '../model.js';
import type { Chain, Operand } from './ast.js';

/**
 * Turns expression chains into rewrites of the model, in Keto's exact shape.
 *
 * `keto` folds `||` and `&&` strictly left to right, as Keto's parser does:
 * `a || b && c` is `(a || b) && c`; an operand written right after another joins the
 * expression before it. `typescript` gives `&&` precedence over `||` (well-formed chains
 * only). Both results are then simplified as Keto does (nested rewrites with one child or
 * with their parent's operator are merged into the parent).
 *
 * A left-to-right fold of a long chain nests as deep as the chain is long, so every walk
 * over a folded rewrite here is iterative.
 */
export type Precedence = 'keto' | 'typescript';

interface MutableRewrite {
  type: 'rewrite';
  operator: RewriteOperator;
  children: MutableChild[];
}
interface MutableInvert {
  type: 'invert';
  child: MutableChild;
}
type MutableChild = MutableRewrite | MutableInvert | ComputedSubjectSet | TupleToSubjectSet;

/** The frozen rewrite of a permit body. */
export function lowerPermitBody(chain: Chain, precedence: Precedence): SubjectSetRewrite {
  const root = foldChain(chain, precedence, precedence);
  simplify(root);
  return freezeTree(root);
}

/** Whether the two readings of this chain (its inner groups read the Keto way) differ. */
export function readingsDiffer(chain: Chain): boolean {
  const keto = foldChain(chain, 'keto', 'keto');
  const typescript = foldChain(chain, 'typescript', 'keto');
  simplify(keto);
  simplify(typescript);
  return !sameTree(keto, typescript);
}

function foldChain(chain: Chain, precedence: Precedence, inner: Precedence): MutableRewrite {
  return precedence === 'keto' ? foldLeftToRight(chain, inner) : foldWithPrecedence(chain, inner);
}

const asRewrite = (child: MutableChild): MutableRewrite =>
  child.type === 'rewrite' ? child : { type: 'rewrite', operator: 'or', children: [child] };

function foldLeftToRight(chain: Chain, inner: Precedence): MutableRewrite {
  let root: MutableRewrite | undefined;
  for (const item of chain.items) {
    if (item.kind === 'operator') {
      root = { type: 'rewrite', operator: item.op, children: root === undefined ? [] : [root] };
      continue;
    }
    const child = lowerOperand(item, inner);
    if (root === undefined) root = asRewrite(child);
    else root.children.push(child);
  }
  return root ?? { type: 'rewrite', operator: 'or', children: [] };
}

function foldWithPrecedence(chain: Chain, inner: Precedence): MutableRewrite {
  const terms: MutableChild[][] = [[]];
  for (const item of chain.items) {
    if (item.kind === 'operator') {
      if (item.op === 'or') terms.push([]);
    } else {
      terms[terms.length - 1]!.push(lowerOperand(item, inner));
    }
  }
  const lowered = terms.map(
    (factors): MutableChild => (factors.length === 1 ? factors[0]! : { type: 'rewrite', operator: 'and', children: factors }),
  );
  return lowered.length === 1 ? asRewrite(lowered[0]!) : { type: 'rewrite', operator: 'or', children: lowered };
}

function lowerOperand(operand: Operand, inner: Precedence): MutableChild {
  switch (operand.kind) {
    case 'includes':
      return { type: 'computed_subject_set', relation: operand.relation.value };
    case 'permit_call':
      return { type: 'computed_subject_set', relation: operand.permit.value };
    case 'traverse':
      return { type: 'tuple_to_subject_set', relation: operand.relation.value, computedSubjectSetRelation: operand.target.value };
    case 'group':
      return foldChain(operand.chain, inner, inner);
    case 'not':
      return { type: 'invert', child: lowerOperand(operand.operand, inner) };
  }
}

/** Keto's simplification, children before parents. */
function simplify(root: MutableRewrite): void {
  const preOrder: MutableRewrite[] = [];
  const stack: MutableRewrite[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    preOrder.push(node);
    for (const child of node.children) {
      if (child.type === 'rewrite') stack.push(child);
      else if (child.type === 'invert' && child.child.type === 'rewrite') stack.push(child.child);
    }
  }
  const mergeable = (child: MutableChild | undefined, parent: MutableRewrite): child is MutableRewrite =>
    child?.type === 'rewrite' && (child.children.length === 1 || child.operator === parent.operator);
  for (let i = preOrder.length - 1; i >= 0; i--) {
    const node = preOrder[i]!;
    const children = node.children;
    // A left-to-right fold nests along the first child; taking over that child's list (it
    // leaves the tree) instead of copying it keeps long chains linear.
    const first = children[0];
    const takeFirst = mergeable(first, node);
    const merged: MutableChild[] = takeFirst ? first.children : [];
    for (let j = takeFirst ? 1 : 0; j < children.length; j++) {
      const child = children[j]!;
      if (mergeable(child, node)) for (const grandchild of child.children) merged.push(grandchild);
      else merged.push(child);
    }
    node.children = merged;
  }
}

function childrenOf(node: MutableChild): MutableChild[] {
  if (node.type === 'rewrite') return node.children;
  if (node.type === 'invert') return [node.child];
  return [];
}

function freezeTree(root: MutableRewrite): SubjectSetRewrite {
  const stack: MutableChild[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of childrenOf(node)) stack.push(child);
    if (node.type === 'rewrite') Object.freeze(node.children);
    Object.freeze(node);
  }
  return root as SubjectSetRewrite;
}

function sameTree(a: MutableChild, b: MutableChild): boolean {
  const stack: [MutableChild, MutableChild][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x.type !== y.type) return false;
    if (x.type === 'computed_subject_set' && x.relation !== (y as ComputedSubjectSet).relation) return false;
    if (x.type === 'tuple_to_subject_set') {
      const other = y as TupleToSubjectSet;
      if (x.relation !== other.relation || x.computedSubjectSetRelation !== other.computedSubjectSetRelation) return false;
    }
    if (x.type === 'rewrite' && x.operator !== (y as MutableRewrite).operator) return false;
    const xs = childrenOf(x);
    const ys = childrenOf(y);
    if (xs.length !== ys.length) return false;
    for (let i = 0; i < xs.length; i++) stack.push([xs[i]!, ys[i]!]);
  }
  return true;
}
