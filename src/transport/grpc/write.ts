import { deleteRequestQuery, transactRequestDeltas } from '../../api/index.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTupleStore } from '../../store/store.js';
import { requireKnownNamespaces } from '../namespace-check.js';
import { SNAPTOKEN_HEADER, type WriteTokens } from '../consistency.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
/** What Keto answers for each inserted tuple, and gatehouse when it issues no tokens. */
const SNAPTOKEN = 'not yet implemented';

/**
 * `WriteService.TransactRelationTuples` and `WriteService.DeleteRelationTuples`. With
 * snaptokens, a transaction's response holds its revision's token once per delta (the whole
 * transaction is one revision), and both methods send it as `gatehouse-snaptoken` metadata.
 */
export function writeMethods(deps: { store: RelationTupleStore; model: () => ModelSnapshot; tokens?: WriteTokens }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.WriteService/TransactRelationTuples`,
      requestType: `${PACKAGE}.TransactRelationTuplesRequest`,
      responseType: `${PACKAGE}.TransactRelationTuplesResponse`,
      async handle(request, call) {
        const deltas = transactRequestDeltas(request);
        const model = deps.model();
        for (const tuple of [...deltas.insert, ...deltas.delete]) requireKnownNamespaces(model, tuple);
        const revision = await deps.store.transact(deltas.insert, deltas.delete);
        if (deps.tokens === undefined) return { snaptokens: deltas.insert.map(() => SNAPTOKEN) };
        const token = await deps.tokens.tokenOf(revision);
        call?.setHeader(SNAPTOKEN_HEADER, token);
        return { snaptokens: [...deltas.insert, ...deltas.delete].map(() => token) };
      },
    },
    {
      path: `/${PACKAGE}.WriteService/DeleteRelationTuples`,
      requestType: `${PACKAGE}.DeleteRelationTuplesRequest`,
      responseType: `${PACKAGE}.DeleteRelationTuplesResponse`,
      async handle(request, call) {
        const query = deleteRequestQuery(request);
        requireKnownNamespaces(deps.model(), query);
        const revision = await deps.store.deleteMatching(query);
        if (deps.tokens !== undefined) call?.setHeader(SNAPTOKEN_HEADER, await deps.tokens.tokenOf(revision));
        return {};
      },
    },
  ];
}
