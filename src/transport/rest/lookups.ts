import { listObjectsFromUrlQuery, listSubjectsFromUrlQuery, lookupPagingFromUrlQuery, subjectToKeto } from '../../api/index.js';
import type { LookupEngine } from '../../engine/lookup-engine.js';
import { consistencyFromUrlQuery, type ReadConsistency, UNVERSIONED, withSnaptoken } from '../consistency.js';
import { lookupPages } from '../lookup-pages.js';
import type { RestRoute } from './route.js';

export interface LookupRouteDeps {
  readonly lookups: LookupEngine;
  /** `snaptoken` / `latest`, as every read takes them. */
  readonly consistency?: ReadConsistency;
  /** The secrets page tokens are signed with. */
  readonly tokenSecrets: () => Promise<readonly string[]>;
}

/**
 * gatehouse's lookups on the read port: `GET /relation-tuples/list-objects` (which objects
 * may this subject …) and `GET /relation-tuples/list-subjects` (who may … this object),
 * each complete and paginated (see lookup-pages.ts for the page tokens).
 */
export function lookupRoutes(deps: LookupRouteDeps): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/relation-tuples/list-objects',
      async handle(req) {
        const params = listObjectsFromUrlQuery(req.query);
        const pages = await lookupPages(deps.tokenSecrets, 'objects', params, lookupPagingFromUrlQuery(req.query));
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const found = await deps.lookups.listObjects({ ...params, ...pages.query(pages.start) }, read.consistency);
        return withSnaptoken({ status: 200, body: { objects: found.items, next_page_token: pages.next(found) } }, read.snaptoken);
      },
    },
    {
      method: 'GET',
      path: '/relation-tuples/list-subjects',
      async handle(req) {
        const params = listSubjectsFromUrlQuery(req.query);
        const pages = await lookupPages(deps.tokenSecrets, 'subjects', params, lookupPagingFromUrlQuery(req.query));
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const found = await deps.lookups.listSubjects({ ...params, ...pages.query(pages.start) }, read.consistency);
        const subjects = found.items.map((s) => subjectToKeto(s));
        return withSnaptoken({ status: 200, body: { subjects, next_page_token: pages.next(found) } }, read.snaptoken);
      },
    },
  ];
}
