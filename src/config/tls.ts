import type { TlsConfig } from './types.js';

/** An endpoint serves TLS when both its key and its certificate are set. */
export function servesTls(tls: TlsConfig): tls is Required<TlsConfig> {
  return tls.cert !== undefined && tls.key !== undefined;
}
