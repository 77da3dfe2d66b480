/**
 * Reading already-parsed JSON with the rules of Go's encoding/json, which decides what
 * Keto accepts in request bodies: object keys match struct fields exactly or else
 * case-insensitively, unknown keys are ignored, `null` leaves a string untouched and
 * clears an optional value, and the first type mismatch is reported as
 * `json: cannot unmarshal <kind> into Go struct field <Struct>.<path> of type <type>`.
 */
import { badRequest } from './errors.js';

/** Where a value sits: the innermost Go struct decoding it and the JSON key path from the top. */
export interface GoJsonPlace {
  readonly struct: string;
  readonly fields: readonly string[];
}

export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** The error Go reports when `value` cannot become `goType` at `place` (undefined: the top-level value). */
export function goTypeError(value: unknown, goType: string, place: GoJsonPlace | undefined): Error {
  const where = place === undefined ? 'Go value' : `Go struct field ${place.struct}.${place.fields.join('.')}`;
  return badRequest(`json: cannot unmarshal ${jsonKind(value)} into ${where} of type ${goType}`);
}

export const fieldPlace = (struct: string, parent: GoJsonPlace | undefined, key: string): GoJsonPlace => ({
  struct,
  fields: [...(parent?.fields ?? []), key],
});

/** Go folds a key for its case-insensitive match: ASCII case, plus the two non-ASCII runes folding onto ASCII letters. */
const foldKey = (key: string) =>
  key.replace(/[a-z\u212a\u017f]/g, (c) => (c === '\u212a' ? 'K' : c === '\u017f' ? 'S' : c.toUpperCase()));

/** The struct field `key` decodes into: an exact match first, otherwise a case-insensitive one. */
export function goFieldFor<F extends string>(key: string, fields: readonly F[]): F | undefined {
  const exact = fields.find((f) => f === key);
  if (exact !== undefined) return exact;
  const folded = foldKey(key);
  return fields.find((f) => foldKey(f) === folded);
}

/** Go decodes unpaired UTF-16 surrogate escapes (`"\ud800"`) to U+FFFD. */
export const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** A Go `string` field: `null` keeps the current value, anything but a string is a type error. */
export function goString(value: unknown, current: string, place: GoJsonPlace, goType = 'string'): string {
  if (value === null) return current;
  if (typeof value !== 'string') throw goTypeError(value, goType, place);
  return wellFormed(value);
}
