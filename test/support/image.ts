import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DOCKERFILE = fileURLToPath(new URL('../../../Dockerfile', import.meta.url));

/** The NODE_OPTIONS the container image builds and runs gatehouse with (its Dockerfile's `ARG NODE_OPTIONS=…`). */
export function imageNodeOptions(): string {
  const match = /^ARG NODE_OPTIONS=(.*)$/m.exec(readFileSync(DOCKERFILE, 'utf8'));
  if (match === null) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return match[1]!;
}
