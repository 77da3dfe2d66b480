import { listRequestQuery, pageRequestFromProto, tupleToProto } from '../../api/index.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTupleStore } from '../../store/store.js';
import { requireKnownNamespaces } from '../namespace-check.js';
import { type ReadConsistency, SNAPTOKEN_HEADER, UNVERSIONED } from '../consistency.js';
import { requestedConsistency } from './consistency.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';

/** `ReadService.ListRelationTuples`. */
export function readMethods(deps: { store: RelationTupleStore; model: () => ModelSnapshot; consistency?: ReadConsistency }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.ReadService/ListRelationTuples`,
      requestType: `${PACKAGE}.ListRelationTuplesRequest`,
      responseType: `${PACKAGE}.ListRelationTuplesResponse`,
      async handle(request, call) {
        const query = listRequestQuery(request);
        requireKnownNamespaces(deps.model(), query);
        const read = await (deps.consistency ?? UNVERSIONED).pin(requestedConsistency(request));
        if (read.snaptoken !== undefined) call?.setHeader(SNAPTOKEN_HEADER, read.snaptoken);
        const page = await deps.store.list(query, pageRequestFromProto(request));
        return { relationTuples: page.tuples.map(tupleToProto), nextPageToken: page.nextPageToken };
      },
    },
  ];
}
