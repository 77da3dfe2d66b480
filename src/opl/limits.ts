/** Parser and type-checker limits, with the values Keto uses (ory/keto: schema/limits.go). */

/** Nested `(` and `!` allowed in one permit body before "expression nested too deeply" (Keto: 10). */
export const EXPRESSION_NESTING_MAX_DEPTH = 10;

/** How far `SubjectSet<…>` types are followed when type-checking a `traverse` (Keto: 10). */
export const SUBJECT_SET_TYPECHECK_MAX_DEPTH = 10;

/**
 * Errors (and, separately, warnings) one compilation reports; past it the last entry says
 * how many more were cut (Keto: no limit). A syntax check answers at most this many.
 */
export const MAX_REPORTED_DIAGNOSTICS = 100;

/**
 * Source text a message quotes, in code points; longer text is cut and followed by `...`,
 * as Go's `%.64q` and Keto's own `'%.10s...'` do (Keto: no limit for its lexer errors,
 * which quote the whole rest of the input).
 */
export const MAX_QUOTED_SOURCE = 64;

/** Length of one diagnostic message, in UTF-16 code units, past which it is cut (Keto: no limit). */
export const MAX_DIAGNOSTIC_MESSAGE_LENGTH = 1024;

/**
 * Declared names one "did you mean …?" suggestion compares a misspelt name with; the rest
 * of a larger namespace is not searched (Keto makes no suggestions).
 */
export const MAX_SUGGESTION_CANDIDATES = 1000;
