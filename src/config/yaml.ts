import { createRequire } from 'node:module';

type YamlLibrary = typeof import('yaml');

let library: YamlLibrary | undefined;

/**
 * The YAML library, loaded on first use: it costs tens of milliseconds at start-up, and a
 * server configured by environment variables or JSON never parses YAML.
 */
export function yamlLibrary(): YamlLibrary {
  return (library ??= createRequire(import.meta.url)('yaml') as YamlLibrary);
}
