import { dirname, resolve } from 'node:path';
import { configFromEnv } from './env.js';
import { ConfigError } from './error.js';
import { readConfigFile } from './files.js';
import { mergeTrees, type Tree } from './merge.js';
import { withAbsoluteNamespaceLocation } from './namespace-location.js';
import { sealConfig } from './seal.js';
import type { Config, ConfigSources } from './types.js';
import { validateConfig } from './validate.js';

/**
 * Reads the config files in order (a later one overrides an earlier one), overlays the
 * environment (process.env unless `env` is given), applies the schema's defaults and
 * validates. Throws a ConfigError listing every problem. The result is frozen and
 * redacts its secrets when logged or serialised.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const messages: string[] = [];
  let merged: Tree = {};
  for (const file of sources.files ?? []) {
    const read = readConfigFile(file);
    if (read.ok) merged = mergeTrees(merged, withAbsoluteNamespaceLocation(read.tree, dirname(resolve(file))));
    else messages.push(read.message);
  }
  merged = mergeTrees(merged, configFromEnv(sources.env ?? process.env));
  if (messages.length > 0) throw new ConfigError(messages);
  return configOf(merged);
}

/**
 * A configuration from its values alone (no files, no environment): the schema's defaults
 * applied and validated, as `loadConfig` does. Throws a ConfigError listing every problem.
 */
export function configOf(values: Tree): Config {
  const validation = validateConfig(values);
  if (!validation.ok) throw new ConfigError(validation.messages);
  // Locations from the environment or the default are relative to the working directory, as in Keto.
  return sealConfig(withAbsoluteNamespaceLocation(validation.config, process.cwd()));
}
