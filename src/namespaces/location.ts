import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invalidArgument, unavailable } from '../errors.js';

/** Where a model is read from: a local file or directory, an http(s) URL, or inline `base64://` text. */
export type Location =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'inline'; readonly text: string };

const mib = (n: number) => n * 1024 * 1024;

/** Largest OPL document fetched over http(s) (Keto has no limit). */
export const MAX_FETCHED_BYTES = mib(16);

/**
 * Resolves a configured location: `file:///abs`, `file://./relative`, a plain path
 * (relative to `baseDir`), `http(s)://…` or `base64://…` (as Keto accepts).
 */
export function resolveLocation(location: string, baseDir: string): Location {
  if (/^https?:\/\//i.test(location)) return { kind: 'http', url: location };
  if (/^base64:\/\//i.test(location)) {
    return { kind: 'inline', text: Buffer.from(location.slice('base64://'.length), 'base64').toString('utf8') };
  }
  if (/^file:\/\//i.test(location)) {
    const rest = location.slice('file://'.length);
    if (rest.startsWith('/')) return { kind: 'file', path: fileURLToPath(`file://${rest}`) };
    return { kind: 'file', path: resolve(baseDir, decodeURIComponent(rest)) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme !== null) throw invalidArgument(`namespaces location ${JSON.stringify(location)}: unexpected url scheme "${scheme[1]}"`);
  return { kind: 'file', path: isAbsolute(location) ? location : resolve(baseDir, location) };
}

/** The text at an http(s) URL, within `timeoutMs`. */
export async function fetchText(url: string, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw unavailable(`could not fetch the namespaces from ${url}: ${reason}`, err);
  }
  if (!response.ok) throw unavailable(`could not fetch the namespaces from ${url}: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_FETCHED_BYTES) throw unavailable(`the namespaces at ${url} exceed ${MAX_FETCHED_BYTES} bytes`);
  const body = await response.text();
  if (Buffer.byteLength(body) > MAX_FETCHED_BYTES) throw unavailable(`the namespaces at ${url} exceed ${MAX_FETCHED_BYTES} bytes`);
  return body;
}
