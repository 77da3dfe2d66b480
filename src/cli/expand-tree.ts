/** An expand tree as Keto's CLI shows it: its JSON shape, and the drawn text of the default format. */
import { ketoTupleFromProto } from '../api/proto.js';
import type { KetoTupleJson } from '../api/keto-json.js';

export interface KetoTree {
  readonly type: string;
  readonly children?: KetoTree[];
  readonly tuple: KetoTupleJson;
}

const NODE_TYPES: Readonly<Record<string, string>> = {
  NODE_TYPE_UNION: 'union',
  NODE_TYPE_EXCLUSION: 'exclusion',
  NODE_TYPE_INTERSECTION: 'intersection',
  NODE_TYPE_LEAF: 'leaf',
};

/** A SubjectTree message (plain object) in Keto's JSON shape; older servers put the subject in `subject` only. */
export function treeFromProto(node: Record<string, any>): KetoTree {
  const tuple = ketoTupleFromProto(node.tuple ?? { subject: node.subject });
  const type = NODE_TYPES[String(node.nodeType)] ?? 'unspecified';
  const children = Array.isArray(node.children) ? node.children.map(treeFromProto) : [];
  return children.length > 0 ? { type, children, tuple } : { type, tuple };
}

function label(t: KetoTupleJson): string {
  const subject =
    t.subject_id !== undefined
      ? t.subject_id
      : t.subject_set !== undefined
        ? t.subject_set.relation === ''
          ? `${t.subject_set.namespace}:${t.subject_set.object}`
          : `${t.subject_set.namespace}:${t.subject_set.object}#${t.subject_set.relation}`
        : '<ERROR: no subject>';
  return `${t.namespace}:${t.object}#${t.relation}@${subject}`;
}

const OPERATION: Readonly<Record<string, string>> = {
  intersection: 'and',
  union: 'or',
  exclusion: '\\',
  not: 'not',
  tuple_to_subject_set: '┐ tuple to userset',
  computed_subject_set: '┐ computed userset',
};

/** The tree drawn with box characters, byte for byte as Keto's CLI draws it (including its U+FE0F after leaves). */
export function drawTree(tree: KetoTree): string {
  if (tree.type === 'leaf') return `∋ ${label(tree.tuple)}\uFE0F`;
  const children = (tree.children ?? []).map((child, i, all) =>
    drawTree(child).split('\n').join(i === all.length - 1 ? '\n   ' : '\n│  '),
  );
  const box = children.length === 1 ? '└' : '├';
  return `${OPERATION[tree.type] ?? ''} ${label(tree.tuple)}\n${box}──${children.join('\n└──')}`;
}
