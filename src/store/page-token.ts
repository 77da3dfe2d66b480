import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import type { RelationQuery } from '../tuple.js';
import { isUuid } from './uuid.js';

const TOKEN_VERSION = 1;
const MAC_BYTES = 32;

export const invalidPageToken = () => invalidArgument('The page token is invalid or has expired; request the first page again');

/** The keyset position a page token carries: the shard id of the last row of the previous page. */
export interface PagePosition {
  readonly after: string;
}

/**
 * Opaque, authenticated page tokens. The payload names the last row seen and a digest of
 * the query it belongs to; an HMAC-SHA256 over it proves gatehouse issued it. The first
 * key signs; every key verifies (so a secret can be rotated). A token that fails any
 * check is refused, and its contents only ever become bound parameters.
 */
export class PageTokens {
  private readonly keys: Buffer[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('page tokens need at least one key');
    this.keys = secrets.map((secret) => createHash('sha256').update('gatehouse page token\u0000').update(secret).digest());
  }

  issue(query: RelationQuery, position: PagePosition): string {
    const payload = Buffer.from(JSON.stringify({ v: TOKEN_VERSION, q: queryDigest(query), a: position.after }));
    return `${payload.toString('base64url')}.${mac(this.keys[0]!, payload).toString('base64url')}`;
  }

  read(query: RelationQuery, token: string): PagePosition {
    const dot = token.indexOf('.');
    if (dot < 0 || token.length > 512) throw invalidPageToken();
    const payload = Buffer.from(token.slice(0, dot), 'base64url');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    if (signature.length !== MAC_BYTES) throw invalidPageToken();
    let valid = false;
    for (const key of this.keys) valid = timingSafeEqual(mac(key, payload), signature) || valid;
    if (!valid) throw invalidPageToken();
    let decoded: unknown;
    try {
      decoded = JSON.parse(payload.toString('utf8'));
    } catch {
      throw invalidPageToken();
    }
    const { v, q, a } = (decoded ?? {}) as { v?: unknown; q?: unknown; a?: unknown };
    if (v !== TOKEN_VERSION || q !== queryDigest(query) || typeof a !== 'string' || !isUuid(a)) throw invalidPageToken();
    return { after: a.toLowerCase() };
  }
}

const mac = (key: Buffer, payload: Buffer): Buffer => createHmac('sha256', key).update(payload).digest();

function queryDigest(query: RelationQuery): string {
  const subject = query.subject === undefined ? null : 'id' in query.subject ? ['id', query.subject.id] : ['set', query.subject.set];
  const canonical = JSON.stringify([query.namespace ?? null, query.object ?? null, query.relation ?? null, subject]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
