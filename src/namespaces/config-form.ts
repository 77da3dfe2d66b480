import { invalidArgument } from '../errors.js';
import { legacyListNamespaces } from './legacy.js';
import { resolveLocation, type Location } from './location.js';
import type { Namespace } from '../model.js';

/** Keto's default for an unset `namespaces`. */
export const DEFAULT_NAMESPACES_LOCATION = 'file://./keto_namespaces';

/** Which of Keto's three forms a `namespaces` config value has, resolved and checked. */
export type NamespacesForm =
  | { readonly kind: 'list'; readonly namespaces: readonly Namespace[] }
  | { readonly kind: 'legacy'; readonly path: string; readonly configured: string }
  | { readonly kind: 'opl'; readonly location: Location; readonly configured: string };

/** Reads a `namespaces` value (undefined: Keto's default); throws invalid_argument for a malformed one. */
export function namespacesForm(value: unknown, baseDir: string): NamespacesForm {
  const given = value ?? DEFAULT_NAMESPACES_LOCATION;
  if (Array.isArray(given)) return { kind: 'list', namespaces: legacyListNamespaces(given) };
  if (typeof given === 'string') {
    const location = resolveLocation(given, baseDir);
    if (location.kind !== 'file') {
      throw invalidArgument(`legacy namespaces location ${JSON.stringify(given)} must be a local file or directory`);
    }
    return { kind: 'legacy', path: location.path, configured: given };
  }
  if (typeof given === 'object' && given !== null) {
    const { location } = given as Record<string, unknown>;
    if (typeof location !== 'string') throw invalidArgument('namespaces.location must be a string naming the OPL file');
    return { kind: 'opl', location: resolveLocation(location, baseDir), configured: location };
  }
  throw invalidArgument('namespaces must be a list of namespaces, a location of namespace files, or {location} of an OPL file');
}
