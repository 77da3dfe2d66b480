import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 32;
/** Longer tokens are refused before any work: no token gatehouse issues comes near. */
const MAX_TOKEN_LENGTH = 512;

/**
 * Opaque, authenticated tokens: a JSON payload and an HMAC-SHA256 over it, each base64url,
 * joined by a dot. Keys are derived from the secrets per purpose, so a token issued for one
 * purpose (a page of tuples, a page of a lookup) is never valid for another. The first
 * secret signs; every secret verifies (a secret can be rotated). `read` gives the payload
 * only when the signature holds; its fields must still be checked before use.
 */
export class SignedTokens {
  private readonly keys: Buffer[];

  constructor(secrets: readonly string[], purpose: string) {
    if (secrets.length === 0) throw new Error('signed tokens need at least one secret');
    this.keys = secrets.map((secret) => createHash('sha256').update(`gatehouse ${purpose}\u0000`).update(secret).digest());
  }

  issue(payload: unknown): string {
    const bytes = Buffer.from(JSON.stringify(payload));
    return `${bytes.toString('base64url')}.${mac(this.keys[0]!, bytes).toString('base64url')}`;
  }

  /** The payload of a token this purpose's keys signed, or undefined. */
  read(token: string): unknown {
    const dot = token.indexOf('.');
    if (dot < 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const bytes = Buffer.from(token.slice(0, dot), 'base64url');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (signature.length !== MAC_BYTES) return undefined;
    let valid = false;
    for (const key of this.keys) valid = timingSafeEqual(mac(key, bytes), signature) || valid;
    if (!valid) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) ?? undefined;
    } catch {
      return undefined;
    }
  }
}

const mac = (key: Buffer, payload: Buffer): Buffer => createHmac('sha256', key).update(payload).digest();

/** A short digest of a request's parameters, so that a token is only valid for the request it continues. */
export const digestOf = (parameters: unknown): string => createHash('sha256').update(JSON.stringify(parameters)).digest('base64url').slice(0, 22);
