import { invalidArgument } from '../errors.js';
import { digestOf, SignedTokens } from '../signed-tokens.js';
import type { RelationQuery } from '../tuple.js';
import { isUuid } from './uuid.js';

const TOKEN_VERSION = 1;

export const invalidPageToken = () => invalidArgument('The page token is invalid or has expired; request the first page again');

/**
 * The keyset position a page token carries: the last row of the previous page, by its shard
 * id and, for listings paged by relation or namespace first (see sql/list-order.ts), that.
 */
export interface PagePosition {
  readonly after: string;
  readonly relation?: string;
  readonly namespace?: string;
}

/**
 * The page tokens of tuple listings: the last row seen and a digest of the query they
 * belong to, signed (see SignedTokens). A token that fails any check is refused, and its
 * contents only ever become bound parameters.
 */
export class PageTokens {
  private readonly tokens: SignedTokens;

  constructor(secrets: readonly string[]) {
    this.tokens = new SignedTokens(secrets, 'page token');
  }

  issue(query: RelationQuery, position: PagePosition): string {
    return this.tokens.issue({ v: TOKEN_VERSION, q: queryDigest(query), a: position.after, r: position.relation, n: position.namespace });
  }

  read(query: RelationQuery, token: string): PagePosition {
    const { v, q, a, r, n } = (this.tokens.read(token) ?? {}) as { v?: unknown; q?: unknown; a?: unknown; r?: unknown; n?: unknown };
    if (v !== TOKEN_VERSION || q !== queryDigest(query) || typeof a !== 'string' || !isUuid(a)) throw invalidPageToken();
    if ((r !== undefined && typeof r !== 'string') || (n !== undefined && typeof n !== 'string')) throw invalidPageToken();
    return { after: a.toLowerCase(), ...(r === undefined ? {} : { relation: r }), ...(n === undefined ? {} : { namespace: n }) };
  }
}

function queryDigest(query: RelationQuery): string {
  const subject = query.subject === undefined ? null : 'id' in query.subject ? ['id', query.subject.id] : ['set', query.subject.set];
  return digestOf([query.namespace ?? null, query.object ?? null, query.relation ?? null, subject]);
}
