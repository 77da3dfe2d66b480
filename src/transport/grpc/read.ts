import { listRequestQuery, pageRequestFromProto, tupleToProto } from '../../api/index.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTupleStore } from '../../store/store.js';
import { requireKnownNamespaces } from '../namespace-check.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';

/** `ReadService.ListRelationTuples`. */
export function readMethods(deps: { store: RelationTupleStore; model: () => ModelSnapshot }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.ReadService/ListRelationTuples`,
      requestType: `${PACKAGE}.ListRelationTuplesRequest`,
      responseType: `${PACKAGE}.ListRelationTuplesResponse`,
      async handle(request) {
        const query = listRequestQuery(request);
        requireKnownNamespaces(deps.model(), query);
        const page = await deps.store.list(query, pageRequestFromProto(request));
        return { relationTuples: page.tuples.map(tupleToProto), nextPageToken: page.nextPageToken };
      },
    },
  ];
}
