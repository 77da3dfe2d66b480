import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../../config/types.js';

/** CORS as Ory's servers configure it (`serve.*.cors`): preflight answers and response headers. */
export type CorsDecision =
  | { kind: 'none' }
  | { kind: 'preflight'; headers: OutgoingHttpHeaders }
  | { kind: 'actual'; headers: OutgoingHttpHeaders };

export function originAllowed(config: CorsConfig, origin: string): boolean {
  return config.allowed_origins.some((pattern) => {
    if (pattern === '*') return true;
    const star = pattern.indexOf('*');
    if (star < 0) return pattern.toLowerCase() === origin.toLowerCase();
    const prefix = pattern.slice(0, star).toLowerCase();
    const suffix = pattern.slice(star + 1).toLowerCase();
    const lower = origin.toLowerCase();
    return lower.length >= prefix.length + suffix.length && lower.startsWith(prefix) && lower.endsWith(suffix);
  });
}

export function corsDecision(config: CorsConfig, method: string, headers: IncomingHttpHeaders): CorsDecision {
  const origin = headers.origin;
  if (!config.enabled || typeof origin !== 'string') return { kind: 'none' };
  const requestedMethod = headers['access-control-request-method'];
  const preflight = method === 'OPTIONS' && typeof requestedMethod === 'string';
  const vary = preflight ? 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' : 'Origin';
  if (!originAllowed(config, origin)) {
    return preflight ? { kind: 'preflight', headers: { vary } } : { kind: 'none' };
  }
  const allowOrigin = config.allowed_origins.includes('*') && !config.allow_credentials ? '*' : origin;
  const out: OutgoingHttpHeaders = { vary, 'access-control-allow-origin': allowOrigin };
  if (config.allow_credentials) out['access-control-allow-credentials'] = 'true';
  if (!preflight) {
    if (config.exposed_headers.length > 0) out['access-control-expose-headers'] = config.exposed_headers.join(', ');
    return { kind: 'actual', headers: out };
  }
  const wantedMethod = requestedMethod.toUpperCase();
  if (!(config.allowed_methods as string[]).includes(wantedMethod)) return { kind: 'preflight', headers: { vary } };
  const wantedHeaders = String(headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const allowedHeaders = new Set(config.allowed_headers.map((h) => h.toLowerCase()));
  if (!allowedHeaders.has('*') && wantedHeaders.some((h) => !allowedHeaders.has(h.toLowerCase()))) {
    return { kind: 'preflight', headers: { vary } };
  }
  out['access-control-allow-methods'] = wantedMethod;
  if (wantedHeaders.length > 0) out['access-control-allow-headers'] = wantedHeaders.join(', ');
  if (config.max_age > 0) out['access-control-max-age'] = String(config.max_age);
  return { kind: 'preflight', headers: out };
}
