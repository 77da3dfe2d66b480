import type { ModelSnapshot, Namespace, Relation, RelationType, RewriteChild, SubjectSetRewrite } from '../../src/model.js';
import { parseTupleString } from '../../src/api/tuple-string.js';
import type { RelationTuple } from '../../src/tuple.js';

/** Small builders for models written by hand in engine tests. */
export const snapshot = (namespaces: Namespace[]): ModelSnapshot => ({
  namespaces,
  namespace: (name) => namespaces.find((n) => n.name === name),
});

export const ns = (name: string, ...relations: Relation[]): Namespace => ({ name, relations });

export const related = (name: string, ...types: string[]): Relation => ({
  name,
  types: types.map((t): RelationType => {
    const [namespace, relation] = t.split('#');
    return relation === undefined ? { namespace: namespace as string } : { namespace: namespace as string, relation };
  }),
});

export const permit = (name: string, rewrite: SubjectSetRewrite): Relation => ({ name, types: [], rewrite });

export const or = (...children: RewriteChild[]): SubjectSetRewrite => ({ type: 'rewrite', operator: 'or', children });
export const and = (...children: RewriteChild[]): SubjectSetRewrite => ({ type: 'rewrite', operator: 'and', children });
export const not = (child: RewriteChild): RewriteChild => ({ type: 'invert', child });
export const computed = (relation: string): RewriteChild => ({ type: 'computed_subject_set', relation });
export const traverse = (relation: string, computedSubjectSetRelation: string): RewriteChild => ({
  type: 'tuple_to_subject_set',
  relation,
  computedSubjectSetRelation,
});

export const tuples = (...lines: string[]): RelationTuple[] => lines.map(parseTupleString);
export const t = parseTupleString;
