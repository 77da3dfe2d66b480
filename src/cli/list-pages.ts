/** What `list-objects` and `list-subjects` share: their flags, and reading every page of a lookup's stream. */
import { MAX_DEPTH_FLAG } from './check.js';
import { CommandFailure } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatFlags } from './format-flags.js';
import type { FlagSpec } from './flags.js';
import { REMOTE_FLAGS } from './remote.js';

export const LIST_FLAGS: readonly FlagSpec[] = [...REMOTE_FLAGS, ...formatFlags(), MAX_DEPTH_FLAG];

/** Every answer of a lookup stream, which sends every page up to the last (whose token is ""); a stream cut short is a failure. */
export async function everyAnswer<T>(pages: AsyncIterable<Record<string, unknown>>, field: string): Promise<T[]> {
  const answers: T[] = [];
  let next: unknown;
  for await (const page of pages) {
    answers.push(...((page[field] as T[] | undefined) ?? []));
    next = page.nextPageToken;
  }
  if (next !== '') throw new CommandFailure('the server ended the list before its last page', 'run the command again', EXIT.unavailable);
  return answers;
}
