import { maskDsn } from './dsn.js';
import { isTree } from './merge.js';
import type { Config } from './types.js';

const REDACTED = '***';

function isSecretPath(path: readonly string[]): boolean {
  if (path[0] === 'secrets') return path.length > 1;
  if (path[0] === 'serve') {
    return (path[2] === 'tls' && path[3] === 'key' && path[4] === 'base64') || (path[2] === 'auth' && path[3] === 'preshared_keys' && path[4] === 'sha256');
  }
  return path.join('.') === 'tracing.providers.otlp.authorization_header';
}

/**
 * A value as it may appear in a log line or an error message: the DSN with its password
 * masked, secrets (pagination keys, inline TLS private keys, digests of preshared keys, tracing
 * credentials) replaced. Preshared keys themselves are never in the configuration, only where to read them.
 */
export function shownValue(path: readonly string[], value: unknown): unknown {
  if (path.length === 1 && path[0] === 'dsn' && typeof value === 'string') return maskDsn(value);
  if (isSecretPath(path)) return Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
  if (Array.isArray(value)) return value.map((item) => shownValue(path, item));
  if (isTree(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = shownValue([...path, key], child);
    return out;
  }
  return value;
}

/** A copy of the configuration that is safe to log or serialise. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return shownValue([], config) as Record<string, unknown>;
}
