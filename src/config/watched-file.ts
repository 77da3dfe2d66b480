import { lstatSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Tells which events in a watched directory concern `file`: those on its own name, and any
 * that changes the file its path resolves to. The second kind is how a mounted Kubernetes
 * ConfigMap changes: each file is a link through `..data`, and an update renames a new
 * `..data` link into place, so no event ever names the file itself.
 */
export function fileEventFilter(file: string): (name: string | null) => boolean {
  const name = basename(file);
  // Resolved only while the file is a link: other events (a database's writes beside a config
  // file, say) then cost no system call.
  let target = linkTarget(file);
  return (changed) => {
    if (changed === null || changed === name) {
      target = linkTarget(file);
      return true;
    }
    if (target === undefined) return false;
    const now = linkTarget(file);
    const retargeted = now !== target;
    target = now;
    return retargeted;
  };
}

/**
 * Where `file` leads when it is a symbolic link (through any number of them), '' for a link that
 * leads nowhere (yet); undefined when it is not a link.
 */
function linkTarget(file: string): string | undefined {
  try {
    if (!lstatSync(file).isSymbolicLink()) return undefined;
  } catch {
    return undefined;
  }
  try {
    return realpathSync(file);
  } catch {
    return '';
  }
}
