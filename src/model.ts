/**
 * The permission model, independent of how it is written: a namespace's relations and
 * rewrites in the shape of Keto's namespace AST (ory/keto: internal/namespace/ast).
 * Produced by the OPL compiler (opl/) or the legacy configuration (namespaces/), held live
 * by namespaces/, consumed by the engine. Plain immutable data; it imports nothing.
 */

export interface Namespace {
  readonly name: string;
  /** Empty for a namespace from the legacy list config: any relation is accepted. */
  readonly relations: readonly Relation[];
}

/** A `related` entry (types, no rewrite) or a permit (rewrite, no types). */
export interface Relation {
  readonly name: string;
  readonly types: readonly RelationType[];
  readonly rewrite?: SubjectSetRewrite;
}

/** `User` (relation undefined) or `SubjectSet<Group, "members">`. */
export interface RelationType {
  readonly namespace: string;
  readonly relation?: string;
}

export type RewriteOperator = 'or' | 'and';

export interface SubjectSetRewrite {
  readonly type: 'rewrite';
  readonly operator: RewriteOperator;
  readonly children: readonly RewriteChild[];
}

/** `this.related.R.includes(ctx.subject)` or `this.permits.P(ctx)`. */
export interface ComputedSubjectSet {
  readonly type: 'computed_subject_set';
  readonly relation: string;
}

/** `this.related.R.traverse((x) => x.related.S.includes(ctx.subject))` or `… x.permits.S(ctx)`. */
export interface TupleToSubjectSet {
  readonly type: 'tuple_to_subject_set';
  readonly relation: string;
  readonly computedSubjectSetRelation: string;
}

/** `!child`. */
export interface InvertResult {
  readonly type: 'invert';
  readonly child: RewriteChild;
}

export type RewriteChild = SubjectSetRewrite | ComputedSubjectSet | TupleToSubjectSet | InvertResult;

/** The model in force for one request: taken once per request, never changes under it. */
export interface ModelSnapshot {
  namespace(name: string): Namespace | undefined;
  readonly namespaces: readonly Namespace[];
}
