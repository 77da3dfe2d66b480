/**
 * An expand answer as Keto's CLI shows it: the SubjectTree message read into the domain
 * tree (then printed as Keto's JSON with the api codec), and the drawn text of the default
 * format.
 */
import { expandTreeToKeto, type KetoExpandTreeJson } from '../api/expand-tree.js';
import type { ExpandNodeType, ExpandTree } from '../engine/expand-tree.js';
import { subjectFromProto } from '../api/proto.js';
import { formatSubject } from '../api/tuple-string.js';

const NODE_TYPES: Readonly<Record<string, ExpandNodeType>> = {
  NODE_TYPE_UNION: 'union',
  NODE_TYPE_EXCLUSION: 'exclusion',
  NODE_TYPE_INTERSECTION: 'intersection',
  NODE_TYPE_LEAF: 'leaf',
};

/** A SubjectTree message (plain object); a node without `tuple` carries its subject in the deprecated `subject`. */
export function treeFromProto(node: Record<string, any>): ExpandTree {
  const tuple = node.tuple ?? { namespace: '', object: '', relation: '', subject: node.subject };
  const subject = subjectFromProto(tuple.subject);
  return {
    type: NODE_TYPES[String(node.nodeType)] ?? 'unspecified',
    tuple: {
      namespace: String(tuple.namespace ?? ''),
      object: String(tuple.object ?? ''),
      relation: String(tuple.relation ?? ''),
      ...(subject ? { subject } : {}),
    },
    children: Array.isArray(node.children) ? node.children.map(treeFromProto) : [],
  };
}

/** Keto's JSON shape of an expand answer. */
export const treeToJson = (tree: ExpandTree): KetoExpandTreeJson => expandTreeToKeto(tree);

function label(tree: KetoExpandTreeJson): string {
  const t = tree.tuple;
  const subject =
    t.subject_id !== undefined
      ? t.subject_id
      : t.subject_set !== undefined
        ? formatSubject({ set: t.subject_set })
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
export function drawTree(tree: KetoExpandTreeJson): string {
  if (tree.type === 'leaf') return `∋ ${label(tree)}\uFE0F`;
  const children = (tree.children ?? []).map((child, i, all) =>
    drawTree(child).split('\n').join(i === all.length - 1 ? '\n   ' : '\n│  '),
  );
  const box = children.length === 1 ? '└' : '├';
  return `${OPERATION[tree.type] ?? ''} ${label(tree)}\n${box}──${children.join('\n└──')}`;
}
