import { extname } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { yamlLibrary } from '../config/yaml.js';
import { invalidArgument } from '../errors.js';
import type { Namespace } from '../model.js';

/**
 * Keto's legacy namespace configuration: a list `[{id, name, config}]` in the config file,
 * or namespace files (one namespace per `.yaml`/`.yml`/`.json`/`.toml` file). Such
 * namespaces declare no relations, so any relation is accepted on them.
 */

export const LEGACY_FILE_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json', '.toml']);

/** The namespaces of an inline legacy list; throws invalid_argument naming the bad entry. */
export function legacyListNamespaces(list: readonly unknown[]): Namespace[] {
  return list.map((entry, index) => legacyNamespace(entry, `namespaces[${index}]`));
}

/** The namespace a legacy namespace file declares; throws invalid_argument when it declares none. */
export function parseLegacyNamespaceFile(fileName: string, text: string): Namespace {
  const extension = extname(fileName).toLowerCase();
  let value: unknown;
  try {
    value = extension === '.toml' ? parseToml(text) : yamlLibrary().parse(text);
  } catch (err) {
    throw invalidArgument(`namespace file ${fileName}: ${err instanceof TomlError ? tomlReason(err) : (err as Error).message}`);
  }
  return legacyNamespace(value, `namespace file ${fileName}`);
}

function legacyNamespace(value: unknown, where: string): Namespace {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`${where}: expected an object with a "name", got ${describe(value)}`);
  }
  const { name, id } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    throw invalidArgument(`${where}: "name" must be a non-empty string, got ${describe(name)}`);
  }
  if (id !== undefined && (!Number.isInteger(id) || (id as number) < 0 || (id as number) > 2147483647)) {
    throw invalidArgument(`${where}: "id" must be an integer from 0 to 2147483647, got ${describe(id)}`);
  }
  return Object.freeze({ name, relations: Object.freeze([]) });
}

/** Where and why TOML was refused, without the excerpt of the file smol-toml appends to its message. */
function tomlReason(err: TomlError): string {
  const reason = err.message.split('\n', 1)[0]!.replace(/^Invalid TOML document: /, '');
  return `line ${err.line}, column ${err.column}: ${reason}`;
}

const describe = (value: unknown): string =>
  value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : `${JSON.stringify(value) ?? typeof value}`;
