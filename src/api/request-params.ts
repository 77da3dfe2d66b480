/**
 * The non-tuple request parameters: `max-depth` and pagination (`page_size`, `page_token`),
 * from a URL query or a gRPC request.
 */
import { badRequest } from './errors.js';
import { goAtoi, goParseIntBase0 } from './go-number.js';

/** Keto's page size when none (or a size ≤ 0) is asked for. */
export const DEFAULT_PAGE_SIZE = 100;
/** Keto's largest page; larger requests are served this many rows. */
export const MAX_PAGE_SIZE = 500;

export interface PageRequest {
  /** Rows per page, already defaulted and clamped to 1..MAX_PAGE_SIZE. */
  readonly size: number;
  /** The opaque token of the page to read; absent for the first page. */
  readonly token?: string;
}

export const clampPageSize = (requested: number): number =>
  requested <= 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);

/**
 * `max-depth` as Keto reads it: absent → 0 (the engine then uses the configured limit);
 * any Go integer literal (`10`, `+3`, `0x1f`, `1_0`) is accepted; anything else is a 400.
 */
export function maxDepthFromUrlQuery(q: URLSearchParams): number {
  const raw = q.get('max-depth');
  if (raw === null) return 0;
  const parsed = goParseIntBase0(raw);
  if (!parsed.ok) throw badRequest(`unable to parse 'max-depth' query parameter to int: ${parsed.error}`);
  return parsed.value;
}

/** The first non-empty value of a repeated key. */
const firstNonEmpty = (q: URLSearchParams, key: string) => q.getAll(key).find((v) => v !== '');

/** `page_size` (decimal; non-numbers are a 400) and `page_token` (passed through) of a list request. */
export function pageRequestFromUrlQuery(q: URLSearchParams): PageRequest {
  const rawSize = firstNonEmpty(q, 'page_size');
  let size = DEFAULT_PAGE_SIZE;
  if (rawSize !== undefined) {
    const parsed = goAtoi(rawSize);
    if (!parsed.ok) throw badRequest(parsed.error);
    size = clampPageSize(parsed.value);
  }
  const token = firstNonEmpty(q, 'page_token');
  return token === undefined ? { size } : { size, token };
}

/** Pagination of ListRelationTuplesRequest (`pageSize` int32, `pageToken` string; 0 / "" mean unset). */
export function pageRequestFromProto(msg: { readonly pageSize?: unknown; readonly pageToken?: unknown }): PageRequest {
  const size = clampPageSize(typeof msg.pageSize === 'number' ? msg.pageSize : 0);
  const token = typeof msg.pageToken === 'string' && msg.pageToken !== '' ? msg.pageToken : undefined;
  return token === undefined ? { size } : { size, token };
}
