import { isDuration } from './duration.js';

const URI = /^[a-z][a-z0-9+.-]*:\S*$/i;

/**
 * The string formats schema.json names, as checks. scripts/build-config-validator.js
 * compiles the schema into dist/ with calls to these, so every format the schema uses is here.
 */
export const configFormats: Readonly<Record<string, (value: string) => boolean>> = {
  uri: (value) => URI.test(value),
  'uri-reference': () => true,
  duration: isDuration,
};
