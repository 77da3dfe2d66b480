import { listObjectsFromUrlQuery, listSubjectsFromUrlQuery, lookupPagingFromUrlQuery, subjectToKeto } from '../../api/index.js';
import { consistencyFromUrlQuery, UNVERSIONED, withSnaptoken } from '../consistency.js';
import { type LookupDeps, lookupPages } from '../lookup-pages.js';
import type { RestRoute } from './route.js';

/**
 * gatehouse's lookups on the read port: `GET /relation-tuples/list-objects` (which objects
 * may this subject …) and `GET /relation-tuples/list-subjects` (who may … this object),
 * each complete and paginated (see lookup-pages.ts for the page tokens).
 */
export function lookupRoutes(deps: LookupDeps): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/relation-tuples/list-objects',
      async handle(req) {
        const params = listObjectsFromUrlQuery(req.query);
        const pages = await lookupPages(deps.tokenSecrets, 'objects', params, lookupPagingFromUrlQuery(req.query));
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const found = await deps.lookups.listObjects({ ...params, ...pages.query(pages.start) }, read.consistency, req.signal);
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
        const found = await deps.lookups.listSubjects({ ...params, ...pages.query(pages.start) }, read.consistency, req.signal);
        const subjects = found.items.map((s) => subjectToKeto(s));
        return withSnaptoken({ status: 200, body: { subjects, next_page_token: pages.next(found) } }, read.snaptoken);
      },
    },
  ];
}
