/**
 * Turns a socket, TLS or HTTP/2 failure into a GrpcCallError whose message is one line
 * and whose hint names the flag that most likely fixes it.
 */
import { GrpcCode } from '../grpc-code.js';
import { GrpcCallError } from './status.js';

export interface FailureContext {
  readonly remote: string;
  readonly plaintext: boolean;
}

const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

const TLS_ON_PLAINTEXT = /wrong version number|packet length too long|unknown protocol|http request/i;

export function transportFailure(err: unknown, ctx: FailureContext): GrpcCallError {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  const message = String(e?.message ?? err);
  const unavailable = (details: string, hint?: string) => new GrpcCallError(GrpcCode.UNAVAILABLE, details, hint);
  const unreachable = (details: string, hint: string) => new GrpcCallError(GrpcCode.UNAVAILABLE, details, hint, true);

  if (code === 'ECONNREFUSED') {
    return unreachable(
      `connection refused by ${ctx.remote}`,
      'start the server or point the command at it with --read-remote/--write-remote (or KETO_READ_REMOTE/KETO_WRITE_REMOTE)',
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return unreachable(`cannot resolve the host of ${ctx.remote}`, 'check the remote address; it is host:port, not a URL');
  }
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return unreachable(`cannot reach ${ctx.remote} (${code})`, 'check the remote address and that nothing blocks the port');
  }
  if (CERTIFICATE_CODES.has(code)) {
    return unavailable(
      `the server's TLS certificate at ${ctx.remote} is not trusted (${code})`,
      'for a self-signed certificate pass --insecure-skip-hostname-verification (never in production)',
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return unavailable(
      `the server's TLS certificate does not name ${ctx.remote}`,
      'pass --authority with the name in the certificate, or --insecure-skip-hostname-verification (never in production)',
    );
  }
  if (!ctx.plaintext && (TLS_ON_PLAINTEXT.test(message) || code === 'ECONNRESET' || code === 'EPROTO')) {
    return unavailable(
      `TLS handshake with ${ctx.remote} failed (${e.reason ?? oneLine(message)})`,
      'the server may serve plaintext HTTP/2: pass --insecure-disable-transport-security',
    );
  }
  if (ctx.plaintext && (code === 'ECONNRESET' || code.startsWith('ERR_HTTP2'))) {
    return unavailable(
      `the connection to ${ctx.remote} failed (${oneLine(message)})`,
      'if the server uses TLS, leave out --insecure-disable-transport-security',
    );
  }
  return unavailable(`cannot talk to ${ctx.remote}: ${oneLine(message)}`);
}

export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
