import { invalidArgument } from '../errors.js';

/** A JSON object with only the given fields; anything else is refused. */
export function objectWith(json: unknown, fields: readonly string[], what = 'the body'): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalidArgument(`${what} must be a JSON object`);
  const unknown = Object.keys(json).find((key) => !fields.includes(key));
  if (unknown !== undefined) throw invalidArgument(`unknown field ${JSON.stringify(unknown)}`);
  return json as Record<string, unknown>;
}

/** A list of strings; absent is empty. */
export function strings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidArgument(`${field} must be a list of strings`);
  return value;
}

export function modelText(value: unknown): string {
  if (typeof value !== 'string') throw invalidArgument('model must be a string (the OPL source)');
  return value;
}
