export type Tree = Record<string, unknown>;

export function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overlays `top` on `base`: mappings merge key by key, anything else (lists included) replaces. */
export function mergeTrees(base: Tree, top: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const below = out[key];
    // Defined rather than assigned, so a "__proto__" key stays a key (and is reported as unknown).
    Object.defineProperty(out, key, {
      value: isTree(below) && isTree(value) ? mergeTrees(below, value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
