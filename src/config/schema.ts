import schemaJson from './schema.json' with { type: 'json' };

/** A JSON-schema node as found in schema.json (only the keywords gatehouse reads). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  allOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  definitions?: Record<string, SchemaNode>;
}

/** The configuration schema: Keto's keys, types and defaults plus gatehouse's additions. */
export const configSchema: SchemaNode = schemaJson as SchemaNode;

/** Follows local `#/definitions/...` references. */
export function deref(node: SchemaNode, root: SchemaNode = configSchema): SchemaNode {
  let current = node;
  while (current.$ref !== undefined) {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const segment of pointer) target = (target as Record<string, unknown>)[segment];
    if (target === undefined) throw new Error(`config schema: dangling reference ${current.$ref}`);
    const { $ref: _ref, ...siblings } = current;
    current = { ...(target as SchemaNode), ...siblings };
  }
  return current;
}
