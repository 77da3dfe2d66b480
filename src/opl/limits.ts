/** Parser and type-checker limits, with the values Keto uses (ory/keto: schema/limits.go). */

/** Nested `(` and `!` allowed in one permit body before "expression nested too deeply" (Keto: 10). */
export const EXPRESSION_NESTING_MAX_DEPTH = 10;

/** How far `SubjectSet<…>` types are followed when type-checking a `traverse` (Keto: 10). */
export const SUBJECT_SET_TYPECHECK_MAX_DEPTH = 10;
