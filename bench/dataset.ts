import type { ModelSnapshot, Namespace } from '../src/namespaces/model.js';
import type { RelationTuple } from '../src/tuple.js';

/**
 * A deterministic synthetic data set shaped like an organisation's documents:
 *  - leaf groups hold users              `Group:L3_i#member@user_k`
 *  - middle groups hold 3 leaf groups    `Group:L2_i#member@Group:L3_j#member`
 *  - top groups hold 3 middle groups     `Group:L1_i#member@Group:L2_j#member`
 *  - a document is viewable by a top group `Doc:d_i#viewer@Group:L1_j#member`,
 *    owned by a user                      `Doc:d_i#owner@user_k`,
 *    and sits in a folder                 `Doc:d_i#parent@Folder:f_j`
 *  - a folder bans a user                 `Folder:f_j#banned@user_k`
 * so a document's viewers are found three subject-set hops away and its owner directly.
 */
export interface DatasetShape {
  readonly tuples: number;
  readonly docs: number;
  readonly folders: number;
  readonly users: number;
  readonly top: number;
  readonly usersPerLeaf: number;
}

export const FAN_OUT = 3;

export function shapeFor(tuples: number): DatasetShape {
  const docs = Math.floor(tuples / 5);
  const folders = Math.max(1, Math.floor(docs / 100));
  const top = Math.max(1, Math.floor(tuples / 1000));
  const groupEdges = top * FAN_OUT + top * FAN_OUT * FAN_OUT;
  const leaves = top * FAN_OUT * FAN_OUT;
  const usersPerLeaf = Math.max(1, Math.floor((tuples - 3 * docs - folders - groupEdges) / leaves));
  return { tuples, docs, folders, users: Math.max(10, Math.floor(tuples / 10)), top, usersPerLeaf };
}

const member = (group: string) => ({ namespace: 'Group', object: group, relation: 'member' });

/** Exactly `shape.tuples` tuples (no duplicates), in a fixed order. */
export function* tuplesOf(shape: DatasetShape): Generator<RelationTuple> {
  const rnd = prng(42);
  let left = shape.tuples;
  for (let i = 0; i < shape.top; i++)
    for (let j = 0; j < FAN_OUT; j++) if (left-- > 0) yield { ...member(`L1_${i}`), subject: { set: member(`L2_${i * FAN_OUT + j}`) } };
  for (let i = 0; i < shape.top * FAN_OUT; i++)
    for (let j = 0; j < FAN_OUT; j++) if (left-- > 0) yield { ...member(`L2_${i}`), subject: { set: member(`L3_${i * FAN_OUT + j}`) } };
  const leaves = shape.top * FAN_OUT * FAN_OUT;
  for (let i = 0; i < leaves; i++)
    for (let j = 0; j < shape.usersPerLeaf; j++)
      if (left-- > 0) yield { ...member(`L3_${i}`), subject: { id: `user_${(i * shape.usersPerLeaf + j) % shape.users}` } };
  for (let f = 0; f < shape.folders && left > 0; f++, left--)
    yield { namespace: 'Folder', object: `f_${f}`, relation: 'banned', subject: { id: `user_${rnd(shape.users)}` } };
  for (let i = 0; left > 0; i++) {
    const doc = `d_${i % shape.docs}`;
    const kind = Math.floor(i / shape.docs);
    if (kind === 0) yield { namespace: 'Doc', object: doc, relation: 'viewer', subject: { set: member(`L1_${rnd(shape.top)}`) } };
    else if (kind === 1) yield { namespace: 'Doc', object: doc, relation: 'owner', subject: { id: `user_${rnd(shape.users)}` } };
    else if (kind === 2) yield { namespace: 'Doc', object: doc, relation: 'parent', subject: { set: { namespace: 'Folder', object: `f_${i % shape.folders}`, relation: '' } } };
    else yield { namespace: 'Doc', object: doc, relation: 'owner', subject: { id: `user_${rnd(shape.users)}_${kind}` } };
    left--;
  }
}

/**
 * The model: `Doc.view` is a permit combining a direct relation, nested groups and a
 * traverse to the parent folder with a negation:
 * `viewer || owner || (parent.traverse(f => f.permits.allowed) && !banned-by-folder)`
 * written with Keto's left-to-right folding in mind (every compound part parenthesised).
 */
export const datasetModel: ModelSnapshot = (() => {
  const sets = (ns: string, rel: string) => ({ namespace: ns, relation: rel });
  const namespaces: Namespace[] = [
    { name: 'User', relations: [] },
    {
      name: 'Group',
      relations: [{ name: 'member', types: [{ namespace: 'User' }, sets('Group', 'member')] }],
    },
    {
      name: 'Folder',
      relations: [
        { name: 'banned', types: [{ namespace: 'User' }] },
        { name: 'viewer', types: [{ namespace: 'User' }, sets('Group', 'member')] },
        {
          name: 'notBanned',
          types: [],
          rewrite: { type: 'rewrite', operator: 'or', children: [{ type: 'invert', child: { type: 'computed_subject_set', relation: 'banned' } }] },
        },
      ],
    },
    {
      name: 'Doc',
      relations: [
        { name: 'viewer', types: [{ namespace: 'User' }, sets('Group', 'member')] },
        { name: 'owner', types: [{ namespace: 'User' }] },
        { name: 'parent', types: [{ namespace: 'Folder' }] },
        {
          name: 'view',
          types: [],
          rewrite: {
            type: 'rewrite',
            operator: 'or',
            children: [
              { type: 'computed_subject_set', relation: 'owner' },
              {
                type: 'rewrite',
                operator: 'and',
                children: [
                  { type: 'computed_subject_set', relation: 'viewer' },
                  { type: 'tuple_to_subject_set', relation: 'parent', computedSubjectSetRelation: 'notBanned' },
                ],
              },
            ],
          },
        },
      ],
    },
  ];
  const byName = new Map(namespaces.map((n) => [n.name, n]));
  return { namespaces, namespace: (name: string) => byName.get(name) };
})();

/** A small, fast, deterministic generator of integers in [0, n). */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}
