/** What `list-objects` and `list-subjects` share: their flags, and reading every page of a lookup's stream. */
import { formatFlags } from './format-flags.js';
import type { FlagSpec } from './flags.js';
import { REMOTE_FLAGS } from './remote.js';

export const LIST_FLAGS: readonly FlagSpec[] = [
  ...REMOTE_FLAGS,
  ...formatFlags(),
  {
    name: 'max-depth',
    short: 'd',
    kind: 'int',
    default: 0,
    description:
      'Maximum depth of each check. If the value is less than 1 or greater than the global max-depth then the global max-depth will be used instead.',
  },
];

/** Every answer of a lookup stream (which sends every page, from the first to the last). */
export async function everyAnswer<T>(pages: AsyncIterable<Record<string, unknown>>, field: string): Promise<T[]> {
  const answers: T[] = [];
  for await (const page of pages) answers.push(...((page[field] as T[] | undefined) ?? []));
  return answers;
}
