import {
  type ListObjectsParams,
  type ListSubjectsParams,
  listObjectsFromUrlQuery,
  listSubjectsFromUrlQuery,
  lookupPageSize,
  maxDepthFromUrlQuery,
  subjectToKeto,
} from '../../api/index.js';
import type { LookupEngine, LookupPage } from '../../engine/lookup-engine.js';
import { digestOf, SignedTokens } from '../../signed-tokens.js';
import { invalidPageToken } from '../../store/page-token.js';
import { consistencyFromUrlQuery, type ReadConsistency, UNVERSIONED, withSnaptoken } from '../consistency.js';
import type { RestRequest, RestRoute } from './route.js';

export interface LookupRouteDeps {
  readonly lookups: LookupEngine;
  /** `snaptoken` / `latest`, as every read takes them. */
  readonly consistency?: ReadConsistency;
  /** The secrets page tokens are signed with. */
  readonly tokenSecrets: () => Promise<readonly string[]>;
}

const TOKEN_VERSION = 1;

/**
 * gatehouse's lookups on the read port: `GET /relation-tuples/list-objects` (which objects
 * may this subject …) and `GET /relation-tuples/list-subjects` (who may … this object),
 * each complete and paginated. A page token carries the last id of its page and a digest
 * of the request it continues, signed; any other token is a 400.
 */
export function lookupRoutes(deps: LookupRouteDeps): RestRoute[] {
  /** The page a request asks for (after the id its token carries), and how to write the token of the next one. */
  const pageOf = async (req: RestRequest, lookup: 'objects' | 'subjects', params: ListObjectsParams | ListSubjectsParams) => {
    const tokens = new SignedTokens(await deps.tokenSecrets(), 'lookup page token');
    const maxDepth = maxDepthFromUrlQuery(req.query);
    const digest = digestOf([lookup, params, maxDepth]);
    const raw = req.query.get('page_token') ?? '';
    let after: string | undefined;
    if (raw !== '') {
      const { v, q, a } = (tokens.read(raw) ?? {}) as { v?: unknown; q?: unknown; a?: unknown };
      if (v !== TOKEN_VERSION || q !== digest || typeof a !== 'string') throw invalidPageToken();
      after = a;
    }
    const next = <T>(page: LookupPage<T>) => (page.last === undefined ? '' : tokens.issue({ v: TOKEN_VERSION, q: digest, a: page.last }));
    return { pageSize: lookupPageSize(req.query), maxDepth, ...(after === undefined ? {} : { after }), next };
  };
  return [
    {
      method: 'GET',
      path: '/relation-tuples/list-objects',
      async handle(req) {
        const params = listObjectsFromUrlQuery(req.query);
        const { next, ...page } = await pageOf(req, 'objects', params);
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const found = await deps.lookups.listObjects({ ...params, ...page }, read.consistency);
        return withSnaptoken({ status: 200, body: { objects: found.items, next_page_token: next(found) } }, read.snaptoken);
      },
    },
    {
      method: 'GET',
      path: '/relation-tuples/list-subjects',
      async handle(req) {
        const params = listSubjectsFromUrlQuery(req.query);
        const { next, ...page } = await pageOf(req, 'subjects', params);
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const found = await deps.lookups.listSubjects({ ...params, ...page }, read.consistency);
        return withSnaptoken({ status: 200, body: { subjects: found.items.map((s) => subjectToKeto(s)), next_page_token: next(found) } }, read.snaptoken);
      },
    },
  ];
}
