import fc from 'fast-check';
import type { Namespace, Relation, RelationType, RewriteChild, RewriteOperator, SubjectSetRewrite } from '../../../src/model.js';

/**
 * Random valid models in Keto's simplified rewrite shape. Every class declares the same
 * relation names, so every reference and every traverse target type-checks; relations
 * with SubjectSet types point only at relations with plain types (no deep SubjectSet chains).
 */

const CLASS_NAMES = fc.stringMatching(/^[A-Z][A-Za-z0-9_]{0,7}$/).filter((n) => n !== 'Array' && n !== 'SubjectSet');
const RELATION_NAMES = fc.oneof(
  fc.stringMatching(/^[a-z_][A-Za-z0-9_]{0,7}$/).filter((n) => !['class', 'implements', 'this', 'ctx'].includes(n)),
  fc.stringMatching(/^[a-z]{1,4}[.: -][a-z0-9]{1,4}$/),
);

const other = (op: RewriteOperator): RewriteOperator => (op === 'or' ? 'and' : 'or');

export const arbitraryModel: fc.Arbitrary<Namespace[]> = fc
  .record({
    classes: fc.uniqueArray(CLASS_NAMES, { minLength: 1, maxLength: 4 }),
    names: fc.uniqueArray(RELATION_NAMES, { minLength: 3, maxLength: 7 }),
    seed: fc.gen(),
  })
  .map(({ classes, names, seed: g }) => {
    const plainCount = 1 + (g(fc.nat, { max: 1 }) as number);
    const plain = names.slice(0, plainCount);
    const withSets = names.slice(plainCount, plainCount + 1);
    const permits = names.slice(plainCount + 1);
    const pick = <T>(xs: readonly T[]): T => xs[g(fc.nat, { max: xs.length - 1 }) as number]!;
    const count = (min: number, max: number) => g(fc.integer, { min, max }) as number;

    const leaf = (): RewriteChild => {
      if (g(fc.boolean) as boolean) return { type: 'computed_subject_set', relation: pick(names) };
      return { type: 'tuple_to_subject_set', relation: pick([...plain, ...withSets]), computedSubjectSetRelation: pick(names) };
    };
    const invert = (depth: number): RewriteChild => ({
      type: 'invert',
      child: depth > 0 && (g(fc.boolean) as boolean) ? rootLike(depth - 1) : leaf(),
    });
    const child = (parent: RewriteOperator, depth: number): RewriteChild => {
      const kind = depth > 0 ? count(0, 3) : 0;
      if (kind === 1) return invert(depth - 1);
      if (kind === 2) return nested(other(parent), depth - 1);
      return leaf();
    };
    const nested = (op: RewriteOperator, depth: number): SubjectSetRewrite => ({
      type: 'rewrite',
      operator: op,
      children: Array.from({ length: count(2, 3) }, () => child(op, depth)),
    });
    const rootLike = (depth: number): SubjectSetRewrite => {
      const size = count(1, 4);
      if (size === 1) return { type: 'rewrite', operator: 'or', children: [depth > 0 && (g(fc.boolean) as boolean) ? invert(depth - 1) : leaf()] };
      const op: RewriteOperator = g(fc.boolean) ? 'or' : 'and';
      return { type: 'rewrite', operator: op, children: Array.from({ length: size }, () => child(op, depth)) };
    };
    const plainTypes = (): RelationType[] => Array.from({ length: count(1, 3) }, () => ({ namespace: pick(classes) }));
    const setTypes = (): RelationType[] =>
      Array.from({ length: count(1, 3) }, () => (g(fc.boolean) ? { namespace: pick(classes) } : { namespace: pick(classes), relation: pick(plain) }));

    return classes.map((name): Namespace => {
      const relations: Relation[] = [
        ...plain.map((r) => ({ name: r, types: plainTypes() })),
        ...withSets.map((r) => ({ name: r, types: setTypes() })),
        ...permits.map((r) => ({ name: r, types: [], rewrite: rootLike(3) })),
      ];
      return { name, relations };
    });
  });

export const arbitraryStyle = fc.record({
  typedArrow: fc.boolean(),
  arrayGeneric: fc.boolean(),
  bracketAccess: fc.boolean(),
  parenthesisedParameter: fc.boolean(),
  comments: fc.boolean(),
  trailingCommas: fc.boolean(),
});
