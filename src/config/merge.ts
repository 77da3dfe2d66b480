export type Tree = Record<string, unknown>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overlays `top` on `base`: mappings merge key by key, anything else (lists included) replaces. */
export function mergeTrees(base: Tree, top: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const below = out[key];
    out[key] = isTree(below) && isTree(value) ? mergeTrees(below, value) : value;
  }
  return out;
}
