import { editDistance } from '../edit-distance.js';
import { MAX_SUGGESTION_CANDIDATES } from './limits.js';

/**
 * "Did you mean …?" for misspelt names: the closest candidate by edit distance (case ignored),
 * within 0 edits for names of 1–2 characters, 1 for 3, and 2 or a third of the length beyond.
 * Only the first MAX_SUGGESTION_CANDIDATES candidates are compared.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = name.length <= 2 ? 0 : name.length === 3 ? 1 : Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = name.toLowerCase();
  let compared = 0;
  for (const candidate of candidates) {
    if (++compared > MAX_SUGGESTION_CANDIDATES) break;
    if (candidate === name || Math.abs(candidate.length - name.length) > limit) continue;
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export const didYouMean = (suggestion: string | undefined): string =>
  suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`;
