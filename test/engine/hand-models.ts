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

/** Groups, nested folders and files with a banned list: a model most engine tests ask about. */
export const fileModel = snapshot([
  ns('User'),
  ns('Group', related('members', 'User', 'Group#members')),
  ns(
    'Folder',
    related('parents', 'Folder'),
    related('viewers', 'User', 'Group#members'),
    permit('view', or(computed('viewers'), traverse('parents', 'view'))),
  ),
  ns(
    'File',
    related('parents', 'Folder'),
    related('viewers', 'User', 'Group#members'),
    related('banned', 'User', 'Group#members'),
    permit('view', and(or(computed('viewers'), traverse('parents', 'view')), not(computed('banned')))),
  ),
]);

export const fileTuples = tuples(
  'Group:eng#members@User:ann',
  'Group:all#members@Group:eng#members',
  'Folder:root#viewers@Group:all#members',
  'Folder:sub#parents@Folder:root',
  'File:doc#parents@Folder:sub',
  'File:doc#banned@User:bob',
  'Folder:root#viewers@User:bob',
);
