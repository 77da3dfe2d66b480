import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTree, type Tree } from './merge.js';

/**
 * Makes a relative `file://` namespaces location (`file://./namespaces.ts`) absolute against
 * `baseDir`: the directory of the config file that names it, or the working directory for
 * the environment. Lists of namespaces and other URIs are left as they are.
 */
export function withAbsoluteNamespaceLocation(tree: Tree, baseDir: string): Tree {
  const namespaces = tree['namespaces'];
  if (typeof namespaces === 'string') return { ...tree, namespaces: absoluteFileUri(namespaces, baseDir) };
  if (isTree(namespaces) && typeof namespaces['location'] === 'string') {
    return { ...tree, namespaces: { ...namespaces, location: absoluteFileUri(namespaces['location'], baseDir) } };
  }
  return tree;
}

function absoluteFileUri(uri: string, baseDir: string): string {
  const match = /^file:\/\/(?!\/)(.+)$/i.exec(uri);
  if (match === null) return uri;
  return pathToFileURL(resolve(baseDir, match[1]!)).href;
}
