/**
 * Printing results in the formats of Keto's CLI (ory/x cmdx): `table` (or `default`),
 * `json`, `json-pretty`, `yaml`, `jsonpath=<GJSON path>`, `jsonpointer=<JSON pointer>`, and
 * `quiet` (or `--quiet`). JSON is written the way Go's encoder writes it (HTML-sensitive
 * characters escaped, one value per line).
 */
import { stringify as toYaml } from 'yaml';
import { alignColumns } from './tabwriter.js';
import type { CliIo } from './io.js';
import { UsageError } from './flags.js';
import { parseJsonPath, selectJsonPath, withSortedKeys, type JsonPath } from './json-path.js';

export type Format =
  | { readonly kind: 'table' | 'default' | 'json' | 'json-pretty' | 'yaml' | 'quiet' }
  | { readonly kind: 'jsonpath'; readonly path: JsonPath }
  | { readonly kind: 'jsonpointer'; readonly pointer: string };

export const FORMAT_NAMES = ['table', 'json', 'json-pretty', 'yaml', 'jsonpath=<path>', 'jsonpointer=<pointer>', 'quiet'] as const;

/** Keto's names; a name that starts with `jsonpath` or `jsonpointer` takes what follows its first `=`. */
export function parseFormat(raw: string, quiet: boolean): Format {
  if (quiet) return { kind: 'quiet' };
  switch (raw) {
    case '':
      return { kind: 'default' };
    case 'table':
    case 'default':
    case 'json':
    case 'json-pretty':
    case 'yaml':
    case 'quiet':
      return { kind: raw };
  }
  if (raw.startsWith('jsonpath')) {
    const path = afterEquals(raw, 'a path', 'path', 'https://github.com/tidwall/gjson/blob/master/SYNTAX.md');
    // An empty path selects nothing in particular: Keto prints the whole value, indented.
    return path === '' ? { kind: 'json-pretty' } : { kind: 'jsonpath', path: parseJsonPath(path) };
  }
  if (raw.startsWith('jsonpointer')) {
    const pointer = afterEquals(raw, 'a JSON pointer', 'jsonpointer', 'https://datatracker.ietf.org/doc/html/draft-ietf-appsawg-json-pointer-07');
    return { kind: 'jsonpointer', pointer };
  }
  throw new UsageError(`unknown output format ${JSON.stringify(raw)}; use one of ${FORMAT_NAMES.join(', ')}`);
}

function afterEquals(raw: string, what: string, placeholder: string, syntax: string): string {
  const eq = raw.indexOf('=');
  if (eq < 0) {
    throw new UsageError(`Format ${raw} is missing ${what}, e.g., --format=${raw}=<${placeholder}>. The path syntax is described at ${syntax}`);
  }
  return raw.slice(eq + 1);
}

/** A list of rows (Keto's cmdx.Table). */
export interface TableOutput {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** What the structured formats print. */
  readonly data: unknown;
  /** What `--quiet` prints, one per line. */
  readonly ids: readonly string[];
}

/** One record shown as a two-column key/value table (Keto's cmdx.TableRow). */
export interface RowOutput {
  readonly header: readonly string[];
  readonly columns: readonly string[];
  readonly data: unknown;
  readonly id: string;
}

/** A value with its own human-readable text (Keto's cmdx.PrintJSONAble). */
export interface TextOutput {
  readonly text: string;
  readonly data: unknown;
}

export function printTable(io: CliIo, format: Format, table: TableOutput): void {
  if (printStructured(io, format, table.data)) return;
  if (format.kind === 'quiet') {
    if (table.ids.length === 0) io.out('\n');
    for (const id of table.ids) io.out(`${id}\n`);
    return;
  }
  const header = table.header.map((h) => `${h}\t`).join('') + '\n';
  const body = table.rows.map((r) => `${r.join('\t')}\t\n`).join('');
  io.out(emphasiseFirstLine(io, alignColumns(header + body)));
}

export function printRow(io: CliIo, format: Format, row: RowOutput): void {
  if (printStructured(io, format, row.data)) return;
  if (format.kind === 'quiet') {
    io.out(`${row.id}\n`);
    return;
  }
  io.out(alignColumns(row.header.map((h, i) => `${h}\t${row.columns[i] ?? ''}\t\n`).join('')));
}

/** `--quiet` does not silence this kind of output (as in Keto). */
export function printText(io: CliIo, format: Format, value: TextOutput): void {
  if (printStructured(io, format, value.data)) return;
  io.out(value.text);
}

function printStructured(io: CliIo, format: Format, data: unknown): boolean {
  switch (format.kind) {
    case 'json':
      io.out(goJson(data, false));
      return true;
    case 'json-pretty':
      io.out(goJson(data, true));
      return true;
    case 'yaml':
      io.out(toYaml(plainJson(data)));
      return true;
    case 'jsonpath':
      io.out(goJson(withSortedKeys(selectJsonPath(plainJson(data), format.path)), true));
      return true;
    case 'jsonpointer':
      io.out(goJson(resolvePointer(data, format.pointer), true));
      return true;
    default:
      return false;
  }
}

/** Go's json.Encoder output: `<`, `>`, `&`, U+2028 and U+2029 escaped, a newline after the value. */
export function goJson(value: unknown, pretty: boolean): string {
  const text = JSON.stringify(value ?? null, null, pretty ? 2 : undefined) ?? 'null';
  return (
    text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n'
  );
}

/** RFC 6901 JSON pointer. */
function resolvePointer(data: unknown, pointer: string): unknown {
  if (pointer === '') return data;
  if (!pointer.startsWith('/')) throw new UsageError(`invalid JSON pointer ${JSON.stringify(pointer)}: it must start with "/"`);
  let current: any = plainJson(data);
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const found =
      current !== null && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, token);
    if (!found) throw new UsageError(`the JSON pointer ${JSON.stringify(pointer)} does not match the output`);
    current = current[token];
  }
  return current;
}

const plainJson = (data: unknown): unknown => JSON.parse(JSON.stringify(data ?? null));

/** Bold header on a colour terminal; the bytes are unchanged otherwise. */
function emphasiseFirstLine(io: CliIo, text: string): string {
  if (!io.colourOut) return text;
  const nl = text.indexOf('\n');
  return `\x1b[1m${text.slice(0, nl)}\x1b[0m${text.slice(nl)}`;
}
