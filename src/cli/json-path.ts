/**
 * `--format jsonpath=<path>`: Keto's CLI reads the path as a GJSON path (github.com/tidwall/gjson,
 * SYNTAX.md) and prints the value it selects as indented JSON, objects with their keys sorted,
 * and `null` when the path selects nothing. gatehouse evaluates this part of the syntax:
 *
 * - keys separated by `.`; `\` makes the next character plain (`a\.b` is the key "a.b");
 * - `*` (any characters) and `?` (one character) in a key: the first key that matches;
 * - an array index (`relation_tuples.0`), and `#` for an array's length;
 * - `#.rest`: `rest` on every element of an array (elements where it selects nothing are left out);
 * - queries: `#(path op value)` selects the first element that matches, `#(path op value)#` all of
 *   them (the rest of the path then applies to each); op is ==, =, !=, <, <=, >, >=, % (wildcard
 *   match), !% or nothing (the path exists); the value is a "quoted string", a number, true or false.
 *
 * Modifiers (`@reverse`), multipaths (`[a,b]`, `{a,b}`), literals (`!true`), pipes (`|`) and
 * `~` values in queries are refused with a usage error.
 */
import { UsageError } from './flags.js';

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '%' | '!%';

type Step =
  | { readonly kind: 'key'; readonly key: string; readonly wildcard?: RegExp }
  /** `#`: the length as the last step, otherwise the rest of the path over every element. */
  | { readonly kind: 'each' }
  | {
      readonly kind: 'query';
      readonly all: boolean;
      readonly path: JsonPath;
      readonly operator?: Operator;
      readonly value: string;
    };

export type JsonPath = readonly Step[];

export const JSON_PATH_SUBSET =
  'keys joined by ".", "\\" escapes, "*" and "?" wildcards, array indexes, "#" (length), "#.key" (every element), ' +
  'queries #(key==value) and #(key==value)# with ==, !=, <, <=, >, >=, %, !%';

const unsupported = (path: string, what: string) =>
  new UsageError(`the jsonpath ${JSON.stringify(path)} uses ${what}, which gatehouse does not support; supported: ${JSON_PATH_SUBSET}`);

export function parseJsonPath(path: string): JsonPath {
  if (path === '') return [];
  return splitComponents(path).map((component) => parseComponent(component, path));
}

/** The value `path` selects, or undefined when it selects nothing. `data` is plain JSON. */
export function selectJsonPath(data: unknown, path: JsonPath): unknown {
  if (path.length === 0) return data;
  const [step, ...rest] = path as [Step, ...Step[]];
  if (Array.isArray(data)) {
    switch (step.kind) {
      case 'each':
        return rest.length === 0 ? data.length : selectEach(data, rest);
      case 'query': {
        const matches = data.filter((element) => queryMatches(element, step));
        if (step.all) return selectEach(matches, rest);
        return matches.length === 0 ? undefined : selectJsonPath(matches[0], rest);
      }
      case 'key':
        if (step.wildcard || !/^\d+$/.test(step.key)) return undefined;
        return Number(step.key) < data.length ? selectJsonPath(data[Number(step.key)], rest) : undefined;
    }
  }
  if (data === null || typeof data !== 'object' || step.kind !== 'key') return undefined;
  const record = data as Record<string, unknown>;
  const key = step.wildcard ? Object.keys(record).find((k) => step.wildcard!.test(k)) : step.key;
  return key !== undefined && Object.hasOwn(record, key) ? selectJsonPath(record[key], rest) : undefined;
}

function selectEach(elements: readonly unknown[], rest: JsonPath): unknown[] {
  return elements.map((element) => selectJsonPath(element, rest)).filter((value) => value !== undefined);
}

/** The path's components: split at `.` outside escapes and outside a query's parentheses. */
function splitComponents(path: string): string[] {
  const components: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') {
      current += path.slice(i, i + 2);
      i++;
      continue;
    }
    if (depth > 0 && c === '"') {
      const end = closingQuote(path, i);
      current += path.slice(i, end + 1);
      i = end;
      continue;
    }
    if (c === '(' && (depth > 0 || current === '#')) depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0 && c === '|') throw unsupported(path, 'a pipe (|)');
    else if (depth === 0 && c === '.') {
      components.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  if (depth > 0) throw new UsageError(`the jsonpath ${JSON.stringify(path)} has a query without its closing ")"`);
  components.push(current);
  return components;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function parseComponent(component: string, path: string): Step {
  if (component === '#') return { kind: 'each' };
  if (component.startsWith('#(')) return parseQuery(component, path);
  if (component.startsWith('#[')) throw unsupported(path, `a query in the old #[...] brackets (${component})`);
  switch (component[0]) {
    case '@':
      throw unsupported(path, `a modifier (${component})`);
    case '[':
    case '{':
      throw unsupported(path, 'a multipath ([...] or {...})');
    case '!':
      throw unsupported(path, `a literal (${component})`);
  }
  const wildcard = /(^|[^\\])(\\\\)*[*?]/.test(component) ? wildcardPattern(component) : undefined;
  return wildcard ? { kind: 'key', key: component, wildcard } : { kind: 'key', key: component.replace(/\\(.)/gs, '$1') };
}

const OPERATORS: readonly Operator[] = ['!=', '!%', '<=', '>=', '<', '>', '=', '%'];

/** `#(path op value)` or `#(path op value)#`. */
function parseQuery(component: string, path: string): Step {
  const all = component.endsWith(')#');
  const close = all ? component.length - 2 : component.length - 1;
  if (component[close] !== ')') throw unsupported(path, `text after a query (${component})`);
  const inside = component.slice(2, close);
  const at = operatorStart(inside);
  if (at < 0) return { kind: 'query', all, path: parseJsonPath(inside.trim()), value: '' };
  let rest = inside.slice(at).trim();
  if (rest.startsWith('==')) rest = rest.slice(1);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) throw unsupported(path, `an operator gatehouse does not know (${rest})`);
  const raw = rest.slice(operator.length).trim();
  if (raw.startsWith('~')) throw unsupported(path, `a ~ value in a query (${raw})`);
  return { kind: 'query', all, path: parseJsonPath(inside.slice(0, at).trim()), operator, value: unquote(raw) };
}

/** Where the operator starts: the first of ! = < > % outside nested parentheses and quoted strings. */
function operatorStart(inside: string): number {
  let depth = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i]!;
    if (depth === 0 && '!=<>%'.includes(c)) return i;
    if (c === '\\') i++;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === '"') i = closingQuote(inside, i);
  }
  return -1;
}

function unquote(raw: string): string {
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) return raw;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

function queryMatches(element: unknown, query: Extract<Step, { kind: 'query' }>): boolean {
  const value = selectJsonPath(element, query.path);
  if (value === undefined) return false;
  const { operator, value: expected } = query;
  if (operator === undefined) return true;
  if (typeof value === 'string') {
    switch (operator) {
      case '%':
        return wildcardPattern(expected).test(value);
      case '!%':
        return !wildcardPattern(expected).test(value);
      default:
        return compare(value, expected, operator);
    }
  }
  if (typeof value === 'number') {
    const number = Number(expected);
    return operator !== '%' && operator !== '!%' && compare(value, Number.isNaN(number) ? 0 : number, operator);
  }
  if (typeof value === 'boolean') return booleanMatches(value, expected, operator);
  return false;
}

/** GJSON's table for true and false, which orders false before true and leaves some operators unanswered. */
function booleanMatches(value: boolean, expected: string, operator: Operator): boolean {
  const mine = String(value);
  const other = String(!value);
  switch (operator) {
    case '=':
      return expected === mine;
    case '!=':
      return expected !== mine;
    case '>':
      return value && expected === other;
    case '>=':
      return value;
    case '<':
      return !value && expected === other;
    case '<=':
      return !value;
    default:
      return false;
  }
}

function compare<T extends string | number>(left: T, right: T, operator: Exclude<Operator, '%' | '!%'>): boolean {
  switch (operator) {
    case '=':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

/** A GJSON wildcard (`*` any characters, `?` one, `\` makes the next character plain) as an anchored RegExp. */
function wildcardPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^]*';
    else if (c === '?') source += '[^]';
    else {
      const plain = c === '\\' && i + 1 < pattern.length ? pattern[++i]! : c;
      source += plain.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

/** Objects with their keys sorted, as Go prints the maps a GJSON result decodes into. */
export function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, withSortedKeys(record[key])]),
  );
}
