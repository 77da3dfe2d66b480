import { CONFIG_KEYS } from './keys.js';

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const up = rows[i - 1]!;
      let best = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

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
