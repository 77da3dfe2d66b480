import { realpathSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Tells which events in a watched directory concern `file`: those on its own name, and any
 * that changes the file its path resolves to. The second kind is how a mounted Kubernetes
 * ConfigMap changes: each file is a link through `..data`, and an update renames a new
 * `..data` link into place, so no event ever names the file itself.
 */
export function fileEventFilter(file: string): (name: string | null) => boolean {
  const name = basename(file);
  let target = resolvedPath(file);
  return (changed) => {
    const now = resolvedPath(file);
    const retargeted = now !== target;
    target = now;
    return changed === null || changed === name || retargeted;
  };
}

function resolvedPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}
