import {
  type ListObjectsParams,
  type ListSubjectsParams,
  listObjectsFromProto,
  listSubjectsFromProto,
  lookupPagingFromProto,
  subjectToProto,
} from '../../api/index.js';
import type { LookupPage } from '../../engine/lookup-engine.js';
import { unavailable } from '../../errors.js';
import type { Consistency } from '../../reader.js';
import { UNVERSIONED } from '../consistency.js';
import { type LookupDeps, lookupPages } from '../lookup-pages.js';
import { requestedConsistency } from './consistency.js';
import type { GrpcCall, GrpcStreamingMethod } from './streaming.js';

const mib = (n: number) => n * 1024 * 1024;

const PACKAGE = 'gatehouse.v1';
const SERVICE = `${PACKAGE}.LookupService`;
/** Bytes a lookup may leave queued for a slow client before it waits for the queue to drain. */
const MAX_UNSENT_BYTES = mib(1);

/**
 * `gatehouse.v1.LookupService` (read port): ListObjects and ListSubjects, each streaming
 * the pages of its answer from the request's page token to the end, one message per page
 * with the token that continues after it (lookup.proto says how a client resumes).
 */
export function lookupMethods(deps: LookupDeps): GrpcStreamingMethod[] {
  return [
    {
      path: `/${SERVICE}/ListObjects`,
      requestType: `${PACKAGE}.ListObjectsRequest`,
      responseType: `${PACKAGE}.ListObjectsResponse`,
      serve: (requests, call) =>
        streamPages(deps, requests, call, 'objects', listObjectsFromProto, (params: ListObjectsParams, query, consistency) =>
          deps.lookups.listObjects({ ...params, ...query }, consistency, call.signal).then((page) => ({ page, answer: { objects: page.items } })),
        ),
    },
    {
      path: `/${SERVICE}/ListSubjects`,
      requestType: `${PACKAGE}.ListSubjectsRequest`,
      responseType: `${PACKAGE}.ListSubjectsResponse`,
      serve: (requests, call) =>
        streamPages(deps, requests, call, 'subjects', listSubjectsFromProto, (params: ListSubjectsParams, query, consistency) =>
          deps.lookups.listSubjects({ ...params, ...query }, consistency, call.signal).then((page) => ({ page, answer: { subjects: page.items.map(subjectToProto) } })),
        ),
    },
  ];
}

type PageQuery = { pageSize: number; maxDepth: number; after?: string };

/** Reads the one request, pins its revision, and sends page after page until the last, the client leaves or the server stops. */
async function streamPages<P extends ListObjectsParams | ListSubjectsParams>(
  deps: LookupDeps,
  requests: AsyncIterable<unknown>,
  call: GrpcCall,
  lookup: 'objects' | 'subjects',
  parse: (request: unknown) => P,
  list: (params: P, query: PageQuery, consistency: Consistency) => Promise<{ page: LookupPage<unknown>; answer: object }>,
): Promise<void> {
  let request: unknown;
  for await (const first of requests) {
    request = first;
    break;
  }
  if (request === undefined || call.signal.aborted) return;
  const params = parse(request);
  const pages = await lookupPages(deps.tokenSecrets, lookup, params, lookupPagingFromProto(request));
  const read = await (deps.consistency ?? UNVERSIONED).pin(requestedConsistency(request));
  let after = pages.start;
  for (;;) {
    const { page, answer } = await list(params, pages.query(after), read.consistency);
    // A stream cut short must not look complete: the client resumes from the last token it received.
    if (call.stopping) throw unavailable('The server is shutting down; continue from the last page token received');
    if (call.signal.aborted) return;
    call.send({ ...answer, nextPageToken: pages.next(page), snaptoken: read.snaptoken ?? '' });
    if (page.last === undefined) return;
    after = page.last;
    if (call.buffered > MAX_UNSENT_BYTES) await call.drained();
  }
}
