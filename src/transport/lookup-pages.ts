import type { MaybePromise } from '../reader.js';
import type { ListObjectsParams, ListSubjectsParams, LookupPaging } from '../api/index.js';
import type { LookupEngine, LookupPage } from '../engine/lookup-engine.js';
import { digestOf, SignedTokens } from '../signed-tokens.js';
import { invalidPageToken } from '../store/page-token.js';
import type { ReadConsistency } from './consistency.js';

const TOKEN_VERSION = 1;

/** What the lookups of every transport are served from. */
export interface LookupDeps {
  readonly lookups: LookupEngine;
  /** `snaptoken` / `latest`, as every read takes them. */
  readonly consistency?: ReadConsistency;
  /** The secrets page tokens are signed with. */
  readonly tokenSecrets: () => MaybePromise<readonly string[]>;
}

/** Where a lookup's pages start, and how to write the token of the page after one. */
export interface LookupPages {
  /** Where the request's page starts: after this id; undefined for the first page of a walk. */
  readonly start: string | undefined;
  /** The engine's page query (besides the lookup's parameters) for the page after `after`. */
  query(after: string | undefined): { pageSize: number; maxDepth: number; after?: string };
  /** The token that continues after `page`; "" after the last page. */
  next<T>(page: LookupPage<T>): string;
}

/**
 * The pages of one lookup request, for every transport (REST and gRPC alike): a page token
 * carries the last id of its page and a digest of the request it continues, signed, so a
 * token from one transport continues the same walk on the other. Any other token is
 * invalid_argument.
 */
export async function lookupPages(
  secrets: () => MaybePromise<readonly string[]>,
  lookup: 'objects' | 'subjects',
  params: ListObjectsParams | ListSubjectsParams,
  paging: LookupPaging,
): Promise<LookupPages> {
  const tokens = new SignedTokens(await secrets(), 'lookup page token');
  const digest = digestOf([lookup, params, paging.maxDepth]);
  let after: string | undefined;
  if (paging.pageToken !== '') {
    const { v, q, a } = (tokens.read(paging.pageToken) ?? {}) as { v?: unknown; q?: unknown; a?: unknown };
    if (v !== TOKEN_VERSION || q !== digest || typeof a !== 'string') throw invalidPageToken();
    after = a;
  }
  return {
    start: after,
    query: (from) => ({ pageSize: paging.pageSize, maxDepth: paging.maxDepth, ...(from === undefined ? {} : { after: from }) }),
    next: (page) => (page.last === undefined ? '' : tokens.issue({ v: TOKEN_VERSION, q: digest, a: page.last })),
  };
}

