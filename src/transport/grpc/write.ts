import { deleteRequestQuery, transactRequestDeltas } from '../../api/index.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTupleStore } from '../../store/store.js';
import { requireKnownNamespaces } from '../namespace-check.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
/** What Keto answers for each inserted tuple: snapshot tokens are not implemented there either. */
const SNAPTOKEN = 'not yet implemented';

/** `WriteService.TransactRelationTuples` and `WriteService.DeleteRelationTuples`. */
export function writeMethods(deps: { store: RelationTupleStore; model: () => ModelSnapshot }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.WriteService/TransactRelationTuples`,
      requestType: `${PACKAGE}.TransactRelationTuplesRequest`,
      responseType: `${PACKAGE}.TransactRelationTuplesResponse`,
      async handle(request) {
        const deltas = transactRequestDeltas(request);
        const model = deps.model();
        for (const tuple of [...deltas.insert, ...deltas.delete]) requireKnownNamespaces(model, tuple);
        await deps.store.transact(deltas.insert, deltas.delete);
        return { snaptokens: deltas.insert.map(() => SNAPTOKEN) };
      },
    },
    {
      path: `/${PACKAGE}.WriteService/DeleteRelationTuples`,
      requestType: `${PACKAGE}.DeleteRelationTuplesRequest`,
      responseType: `${PACKAGE}.DeleteRelationTuplesResponse`,
      async handle(request) {
        const query = deleteRequestQuery(request);
        requireKnownNamespaces(deps.model(), query);
        await deps.store.deleteMatching(query);
        return {};
      },
    },
  ];
}
