/**
 * The OPL syntax tree: what the source says, close to the text, with UTF-16 spans.
 * Nodes are frozen and carry a `kind` tag. The lowering in `lower.ts` turns it into the
 * permission model (src/model.ts).
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** An identifier or string literal used as a name (a class, relation, type or parameter). */
export interface Name extends Span {
  readonly value: string;
}

export interface OplDocument {
  readonly kind: 'document';
  readonly classes: readonly ClassDecl[];
}

/** `class Name implements Namespace { related: {…} permits = {…} }` */
export interface ClassDecl {
  readonly kind: 'class';
  readonly name: Name;
  /** `related` entries and permits in source order. */
  readonly members: readonly (RelatedDecl | PermitDecl)[];
}

/** `name: (A | SubjectSet<B, "r">)[]` inside `related`. */
export interface RelatedDecl {
  readonly kind: 'related';
  readonly name: Name;
  readonly types: readonly TypeRef[];
}

/** `A` (no relation) or `SubjectSet<A, "r">`. */
export interface TypeRef {
  readonly kind: 'type';
  readonly namespace: Name;
  readonly relation?: Name;
}

/** `name: (ctx: Context): boolean => body` inside `permits`. */
export interface PermitDecl {
  readonly kind: 'permit';
  readonly name: Name;
  readonly body: Chain;
  /**
   * False when Keto drops the permit without an error: an empty body, an operator with
   * nothing before it, or an empty `()`. Keto then also stops reading that permits block.
   */
  readonly kept: boolean;
}

/**
 * Operands and operators of one expression level, as written. A well-formed chain
 * alternates operand, operator, operand…; Keto also accepts adjacent operands, repeated
 * operators and a trailing operator, which `lint.ts` reports.
 */
export interface Chain extends Span {
  readonly kind: 'chain';
  readonly items: readonly (Operand | Operator)[];
}

export interface Operator extends Span {
  readonly kind: 'operator';
  readonly op: 'or' | 'and';
}

export type Leaf = Includes | PermitCall | Traverse;
export type Operand = Leaf | Group | Not;

/** `( chain )`; `closed` is false when a `}` ended it (Keto accepts the missing `)`). */
export interface Group extends Span {
  readonly kind: 'group';
  readonly chain: Chain;
  readonly closed: boolean;
}

/** `!operand` */
export interface Not extends Span {
  readonly kind: 'not';
  readonly operand: Leaf | Group;
}

/** `this.related.R.includes(ctx.subject)` */
export interface Includes extends Span {
  readonly kind: 'includes';
  readonly relation: Name;
}

/** `this.permits.P(ctx)` */
export interface PermitCall extends Span {
  readonly kind: 'permit_call';
  readonly permit: Name;
}

/** `this.related.R.traverse((x) => x.related.S.includes(ctx.subject))` or `… x.permits.S(ctx))`. */
export interface Traverse extends Span {
  readonly kind: 'traverse';
  readonly relation: Name;
  readonly parameter: Name;
  readonly via: 'related' | 'permits';
  readonly target: Name;
}
