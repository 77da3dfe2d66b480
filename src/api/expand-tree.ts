/**
 * The two wire forms of the expand tree (src/engine/expand-tree.ts): Keto's REST JSON and
 * the `SubjectTree` proto message.
 */
import type { ExpandNodeType, ExpandTree } from '../engine/expand-tree.js';
import { subjectToKeto, type KetoSubjectSetJson } from './keto-json.js';
import { subjectToProto } from './proto.js';

export interface KetoExpandTreeJson {
  readonly type: ExpandNodeType;
  readonly children?: readonly KetoExpandTreeJson[];
  readonly tuple: {
    readonly namespace: string;
    readonly object: string;
    readonly relation: string;
    readonly subject_id?: string;
    readonly subject_set?: KetoSubjectSetJson;
  };
}

/** Keto's REST JSON: keys `type`, `children` (omitted when empty), `tuple`; a childless node is a `leaf`. */
export function expandTreeToKeto(tree: ExpandTree): KetoExpandTreeJson {
  const t = tree.tuple;
  const tuple = {
    namespace: t?.namespace ?? '',
    object: t?.object ?? '',
    relation: t?.relation ?? '',
    ...subjectToKeto(t?.subject),
  };
  if (tree.children.length === 0) return { type: 'leaf', tuple };
  return { type: tree.type, children: tree.children.map(expandTreeToKeto), tuple };
}

/**
 * The same JSON text as `JSON.stringify(expandTreeToKeto(tree))`, written without recursion:
 * a tree as deep as limit.max_read_depth allows (65535 levels) would overflow the stack of
 * both the conversion and JSON.stringify.
 */
export function expandTreeToKetoJson(root: ExpandTree): string {
  const out: string[] = [];
  /** Nodes still to write, and the text that closes a node or separates two children. */
  const pending: (ExpandTree | string)[] = [root];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const t = item.tuple;
    const tuple = JSON.stringify({ namespace: t?.namespace ?? '', object: t?.object ?? '', relation: t?.relation ?? '', ...subjectToKeto(t?.subject) });
    if (item.children.length === 0) {
      out.push(`{"type":"leaf","tuple":${tuple}}`);
      continue;
    }
    out.push(`{"type":${JSON.stringify(item.type)},"children":[`);
    pending.push(`],"tuple":${tuple}}`);
    for (let i = item.children.length - 1; i >= 0; i--) {
      pending.push(item.children[i]!);
      if (i > 0) pending.push(',');
    }
  }
  return out.join('');
}

/** Whether some path of the tree has more than `levels` levels below the root (found without recursion). */
export function expandTreeDeeperThan(root: ExpandTree, levels: number): boolean {
  const pending: [ExpandTree, number][] = [[root, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (depth > levels) return true;
    for (const child of node.children) pending.push([child, depth + 1]);
  }
  return false;
}

/** The proto NodeType: only union, exclusion, intersection and leaf exist there; other types are UNSPECIFIED. */
function nodeTypeToProto(tree: ExpandTree): string {
  if (tree.children.length === 0) return 'NODE_TYPE_LEAF';
  switch (tree.type) {
    case 'union':
      return 'NODE_TYPE_UNION';
    case 'exclusion':
      return 'NODE_TYPE_EXCLUSION';
    case 'intersection':
      return 'NODE_TYPE_INTERSECTION';
    case 'leaf':
      return 'NODE_TYPE_LEAF';
    default:
      return 'NODE_TYPE_UNSPECIFIED';
  }
}

/** A `SubjectTree` message: `tuple` plus the deprecated `subject` (the same subject), children in order. */
export function expandTreeToProto(tree: ExpandTree): object {
  const t = tree.tuple;
  const subject = t?.subject === undefined ? null : subjectToProto(t.subject);
  return {
    nodeType: nodeTypeToProto(tree),
    subject,
    tuple: { namespace: t?.namespace ?? '', object: t?.object ?? '', relation: t?.relation ?? '', subject },
    children: tree.children.map(expandTreeToProto),
  };
}

/** The tree gRPC Expand answers for a subject id: a leaf carrying only the deprecated `subject`. */
export const subjectIdExpandTreeToProto = (id: string): object => ({
  nodeType: 'NODE_TYPE_LEAF',
  subject: { id },
  tuple: null,
  children: [],
});
