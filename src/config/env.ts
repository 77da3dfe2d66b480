import { KEYS_BY_ENV, type ConfigKey } from './keys.js';
import { isTree, type Tree } from './merge.js';

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'off']);
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The configuration set through environment variables: every key's variable is its
 * path upper-cased and joined with "_" (SERVE_READ_PORT, LOG_LEVEL, DSN). Values are
 * converted to the key's type; arrays and objects are written as JSON, and string
 * lists may also be comma-separated. Variables that name no key, and variables for a
 * mapping that do not hold a JSON object, are ignored. A value that cannot be converted
 * is kept as text, so validation reports it with the key.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): Tree {
  const matches: Array<[ConfigKey, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    const key = KEYS_BY_ENV.get(name);
    if (key === undefined || value === undefined) continue;
    // SERVE, LOG, DATABASE… are common names; they count only when they hold a JSON object.
    if (key.types.length === 1 && key.types[0] === 'object' && !value.trim().startsWith('{')) continue;
    matches.push([key, value]);
  }
  // Parents first, so SERVE_READ_CORS='{...}' and SERVE_READ_CORS_ENABLED=true combine.
  matches.sort(([a], [b]) => a.path.length - b.path.length);
  const tree: Tree = {};
  for (const [key, value] of matches) setPath(tree, key.path, coerce(value, key));
  return tree;
}

function coerce(text: string, key: ConfigKey): unknown {
  const types = key.types;
  const trimmed = text.trim();
  if ((types.includes('object') && trimmed.startsWith('{')) || (types.includes('array') && trimmed.startsWith('['))) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  if (types.includes('array') && key.itemTypes.includes('string')) {
    return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  }
  if ((types.includes('integer') || types.includes('number')) && NUMBER.test(trimmed)) return Number(trimmed);
  if (types.includes('boolean')) {
    const word = trimmed.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return text;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (!isTree(next)) node[segment] = {};
    node = node[segment] as Tree;
  }
  node[path[path.length - 1]!] = value;
}
