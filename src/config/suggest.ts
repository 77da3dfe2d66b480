import { editDistance } from '../edit-distance.js';
import { CONFIG_KEYS } from './keys.js';

/** Typos worth suggesting a fix for: about one edit per three characters. */
function closeEnough(distance: number, key: string): boolean {
  return distance <= Math.max(1, Math.floor(key.length / 3));
}

function nearest(unknown: string, candidates: Iterable<string[]>): string[] | undefined {
  const needle = unknown.toLowerCase();
  let best: string[] | undefined;
  let bestDistance = Infinity;
  for (const path of candidates) {
    const distance = editDistance(needle, path[path.length - 1]!.toLowerCase());
    if (closeEnough(distance, unknown) && distance < bestDistance) {
      best = path;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The valid key an unknown key most likely meant, as a path: first a close spelling
 * among the keys allowed beside it, then the same (or a close) name elsewhere in the
 * schema (a key written at the wrong level).
 */
export function closestKey(
  parent: readonly string[],
  unknown: string,
  allowed: readonly string[],
): string[] | undefined {
  return (
    nearest(
      unknown,
      allowed.map((sibling) => [...parent, sibling]),
    ) ?? nearest(
      unknown,
      CONFIG_KEYS.map((key) => key.path),
    )
  );
}
