import { inspect } from 'node:util';
import { isTree } from './merge.js';
import { redactedConfig } from './redact.js';
import type { Config } from './types.js';

function deepFreeze(value: unknown): void {
  if (Array.isArray(value) || isTree(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
}

/**
 * Freezes a validated configuration and makes it redact itself: JSON.stringify (and so
 * pino) and util.inspect (console.log) see the DSN password and secrets masked.
 */
export function sealConfig(tree: Record<string, unknown>): Config {
  const config = tree as unknown as Config;
  Object.defineProperty(config, 'toJSON', { value: () => redactedConfig(config), enumerable: false });
  Object.defineProperty(config, inspect.custom, {
    value: (_depth: number, options: object) => inspect(redactedConfig(config), options),
    enumerable: false,
  });
  deepFreeze(config);
  return config;
}
