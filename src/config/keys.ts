import { configSchema, deref, type SchemaNode } from './schema.js';

/** One configuration key as the schema declares it. */
export interface ConfigKey {
  /** Segments, e.g. ["serve", "read", "port"]. */
  path: string[];
  /** Dotted form, e.g. "serve.read.port". */
  name: string;
  /** Environment variable that sets it, e.g. "SERVE_READ_PORT". */
  env: string;
  /** JSON types the key accepts. */
  types: string[];
  /** JSON type of array items, when the key is an array. */
  itemTypes: string[];
  default?: unknown;
  enum?: unknown[];
  description?: string;
}

/** The JSON types a node accepts, looking through $ref, allOf and oneOf. */
function typesOf(node: SchemaNode): string[] {
  const resolved = deref(node);
  const own = resolved.type === undefined ? [] : Array.isArray(resolved.type) ? resolved.type : [resolved.type];
  const nested = [...(resolved.allOf ?? []), ...(resolved.oneOf ?? [])].flatMap(typesOf);
  return [...new Set([...own, ...nested])];
}

/** The properties a node declares, looking through $ref, allOf and the object branches of oneOf. */
function propertiesOf(node: SchemaNode): Record<string, SchemaNode> {
  const resolved = deref(node);
  const merged: Record<string, SchemaNode> = {};
  for (const part of [...(resolved.allOf ?? []), ...(resolved.oneOf ?? [])]) Object.assign(merged, propertiesOf(part));
  return Object.assign(merged, resolved.properties ?? {});
}

function firstDefined<K extends keyof SchemaNode>(node: SchemaNode, keyword: K): SchemaNode[K] | undefined {
  const resolved = deref(node);
  if (resolved[keyword] !== undefined) return resolved[keyword];
  for (const part of resolved.allOf ?? []) {
    const found = firstDefined(part, keyword);
    if (found !== undefined) return found;
  }
  return undefined;
}

function collect(node: SchemaNode, path: string[], out: ConfigKey[]): void {
  for (const [key, child] of Object.entries(propertiesOf(node))) {
    if (key === '$schema') continue;
    const childPath = [...path, key];
    const resolved = deref(child);
    const items = firstDefined(child, 'items');
    const entry: ConfigKey = {
      path: childPath,
      name: childPath.join('.'),
      env: childPath.join('_').toUpperCase(),
      types: typesOf(child),
      itemTypes: items === undefined ? [] : typesOf(items),
    };
    if (resolved.default !== undefined) entry.default = resolved.default;
    const allowed = firstDefined(child, 'enum');
    if (allowed !== undefined) entry.enum = allowed;
    const description = firstDefined(child, 'description');
    if (description !== undefined) entry.description = description;
    out.push(entry);
    collect(child, childPath, out);
  }
}

/** Every key of the configuration, parents before their children, in schema order. */
export const CONFIG_KEYS: readonly ConfigKey[] = (() => {
  const out: ConfigKey[] = [];
  collect(configSchema, [], out);
  return out;
})();

/** Keys by the environment variable that sets them. */
export const KEYS_BY_ENV: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((key) => [key.env, key]));
