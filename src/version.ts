import { readFileSync } from 'node:fs';

/** The gatehouse release, as written in package.json (two levels above dist/src/). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
