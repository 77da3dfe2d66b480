import {
  pageRequestFromUrlQuery,
  parseKetoTuple,
  parsePatchDeltas,
  relationQueryFromUrlQuery,
  relationTupleLocation,
  relationTuplesPageToKeto,
  tupleToKeto,
  validateDeleteQuery,
} from '../../api/index.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTupleStore } from '../../store/store.js';
import { requireKnownNamespaces } from '../namespace-check.js';
import { consistencyFromUrlQuery, type ReadConsistency, UNVERSIONED, withSnaptoken, type WriteTokens } from '../consistency.js';
import type { RestRoute } from './route.js';

export interface RelationTupleRouteDeps {
  readonly store: RelationTupleStore;
  readonly model: () => ModelSnapshot;
  /** Snaptokens of the store's reads (listing) and writes; without it, none is issued or read. */
  readonly consistency?: ReadConsistency & WriteTokens;
}

/**
 * Longest Location header sent for a created relationship. Keto's is `/relation-tuples?<the
 * tuple as a query>`, as long as the tuple: a 2 MiB tuple gave a 2 MiB header, which clients
 * refuse (node's limit for all headers is 16 KiB). Past this length the query is left out.
 */
export const MAX_LOCATION_LENGTH = 4096;

/** Keto's Location for a created tuple, or the bare list path when that would be too long. */
function locationOf(tuple: Parameters<typeof relationTupleLocation>[0]): string {
  const location = relationTupleLocation(tuple);
  return location.length <= MAX_LOCATION_LENGTH ? location : '/relation-tuples';
}

/**
 * Keto's relationship routes: `GET /relation-tuples` (read port) and
 * `PUT | DELETE | PATCH /admin/relation-tuples` (write port). Each successful write answers
 * its revision's snaptoken in the Gatehouse-Snaptoken header; a listing takes `snaptoken` and
 * `latest` and answers the token it read at.
 */
export function relationTupleRoutes(deps: RelationTupleRouteDeps): RestRoute[] {
  const written = async (revision: number) => (deps.consistency === undefined ? undefined : deps.consistency.tokenOf(revision));
  return [
    {
      method: 'GET',
      path: '/relation-tuples',
      async handle(req) {
        const query = relationQueryFromUrlQuery(req.query);
        const page = pageRequestFromUrlQuery(req.query);
        requireKnownNamespaces(deps.model(), query);
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const result = await deps.store.list(query, page);
        return withSnaptoken({ status: 200, body: relationTuplesPageToKeto(result.tuples, result.nextPageToken) }, read.snaptoken);
      },
    },
    {
      method: 'PUT',
      path: '/admin/relation-tuples',
      async handle(req) {
        const tuple = parseKetoTuple(req.json());
        requireKnownNamespaces(deps.model(), tuple);
        const revision = await deps.store.transact([tuple], []);
        return withSnaptoken({ status: 201, headers: { location: locationOf(tuple) }, body: tupleToKeto(tuple) }, await written(revision));
      },
    },
    {
      method: 'DELETE',
      path: '/admin/relation-tuples',
      async handle(req) {
        validateDeleteQuery(req.query, req.body);
        const query = relationQueryFromUrlQuery(req.query);
        requireKnownNamespaces(deps.model(), query);
        return withSnaptoken({ status: 204 }, await written(await deps.store.deleteMatching(query)));
      },
    },
    {
      method: 'PATCH',
      path: '/admin/relation-tuples',
      async handle(req) {
        const deltas = parsePatchDeltas(req.json());
        const insert = deltas.filter((d) => d.action === 'insert').map((d) => d.tuple);
        const remove = deltas.filter((d) => d.action === 'delete').map((d) => d.tuple);
        const model = deps.model();
        for (const tuple of [...insert, ...remove]) requireKnownNamespaces(model, tuple);
        return withSnaptoken({ status: 204 }, await written(await deps.store.transact(insert, remove)));
      },
    },
  ];
}
