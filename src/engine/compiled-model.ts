import { GatehouseError, invalidArgument } from '../errors.js';
import type { ModelSnapshot, Relation, RelationType, RewriteChild, SubjectSetRewrite } from '../model.js';

/**
 * The model in the form the evaluator walks: relations resolved once per snapshot into
 * maps, rewrites into small instruction trees whose `or` nodes already list the computed
 * subject sets that one direct lookup can answer together.
 */
export interface CompiledModel {
  hasNamespace(name: string): boolean;
  /**
   * Keto's relation lookup for a check: undefined when the relation is empty, the
   * namespace is unknown, or the namespace declares no relations at all (legacy config).
   * Throws invalid_argument when the namespace declares relations but not this one.
   */
  relationFor(namespace: string, relation: string): CompiledRelation | undefined;
  /** The declared relation, or undefined: never throws (what Expand looks up). */
  findRelation(namespace: string, relation: string): CompiledRelation | undefined;
}

export interface CompiledRelation {
  readonly namespace: string;
  readonly name: string;
  readonly types: readonly RelationType[];
  /** The declared `SubjectSet<N, "r">` types (typed subjects such as `User` left out). */
  readonly subjectSetTypes: readonly SubjectSetType[];
  readonly rewrite: CompiledRewrite | undefined;
  /** The rewrite as written, for Expand (which keeps Keto's own child ordering). */
  readonly source: Relation;
}

export interface SubjectSetType {
  readonly namespace: string;
  readonly relation: string;
}

export interface CompiledRewrite {
  readonly operator: 'or' | 'and';
  /** `or` only: relations of the computed-subject-set children, in order (checked first, together). */
  readonly computed: readonly string[];
  /** Every other child, in order (for `and`: all children). */
  readonly rest: readonly CompiledChild[];
}

export type CompiledChild =
  | { readonly kind: 'computed'; readonly relation: string }
  | { readonly kind: 'traverse'; readonly relation: string; readonly computedRelation: string }
  | { readonly kind: 'rewrite'; readonly rewrite: CompiledRewrite }
  | { readonly kind: 'invert'; readonly child: CompiledChild };

interface CompiledNamespace {
  readonly declaresRelations: boolean;
  readonly relations: ReadonlyMap<string, CompiledRelation>;
}

export const relationDoesNotExist = (relation: string): GatehouseError =>
  invalidArgument('The request was malformed or contained invalid parameters', `relation "${relation}" does not exist`);

const cache = new WeakMap<ModelSnapshot, CompiledModel>();

/** Compiles a snapshot once; later calls with the same snapshot return the same model. */
export function compileModel(snapshot: ModelSnapshot): CompiledModel {
  let compiled = cache.get(snapshot);
  if (compiled === undefined) {
    compiled = buildModel(snapshot);
    cache.set(snapshot, compiled);
  }
  return compiled;
}

function buildModel(snapshot: ModelSnapshot): CompiledModel {
  const namespaces = new Map<string, CompiledNamespace>();
  for (const ns of snapshot.namespaces) {
    const relations = new Map<string, CompiledRelation>();
    for (const rel of ns.relations) relations.set(rel.name, compileRelation(ns.name, rel));
    namespaces.set(ns.name, { declaresRelations: ns.relations.length > 0, relations });
  }
  return {
    hasNamespace: (name) => namespaces.has(name),
    findRelation: (namespace, relation) => namespaces.get(namespace)?.relations.get(relation),
    relationFor(namespace, relation) {
      if (relation === '') return undefined;
      const ns = namespaces.get(namespace);
      if (ns === undefined || !ns.declaresRelations) return undefined;
      const rel = ns.relations.get(relation);
      if (rel === undefined) throw relationDoesNotExist(relation);
      return rel;
    },
  };
}

function compileRelation(namespace: string, rel: Relation): CompiledRelation {
  return {
    namespace,
    name: rel.name,
    types: rel.types,
    subjectSetTypes: rel.types
      .filter((t) => t.relation !== undefined && t.relation !== '')
      .map((t) => ({ namespace: t.namespace, relation: t.relation as string })),
    rewrite: rel.rewrite === undefined ? undefined : compileRewrite(rel.rewrite),
    source: rel,
  };
}

function compileRewrite(rewrite: SubjectSetRewrite): CompiledRewrite {
  const computed: string[] = [];
  const rest: CompiledChild[] = [];
  for (const child of rewrite.children) {
    if (rewrite.operator === 'or' && child.type === 'computed_subject_set') computed.push(child.relation);
    else rest.push(compileChild(child));
  }
  return { operator: rewrite.operator, computed, rest };
}

function compileChild(child: RewriteChild): CompiledChild {
  switch (child.type) {
    case 'computed_subject_set':
      return { kind: 'computed', relation: child.relation };
    case 'tuple_to_subject_set':
      return { kind: 'traverse', relation: child.relation, computedRelation: child.computedSubjectSetRelation };
    case 'rewrite':
      return { kind: 'rewrite', rewrite: compileRewrite(child) };
    case 'invert':
      return { kind: 'invert', child: compileChild(child.child) };
  }
}
