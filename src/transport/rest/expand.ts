import { expandTreeToKetoJson, maxDepthFromUrlQuery, subjectSetFromUrlQuery } from '../../api/index.js';
import type { ExpandEngine } from '../../engine/expand-engine.js';
import { consistencyFromUrlQuery, type ReadConsistency, UNVERSIONED, withSnaptoken } from '../consistency.js';
import type { RestRoute } from './route.js';

/**
 * `GET /relation-tuples/expand` (read port): Keto's expand tree of `namespace:object#relation`.
 * An unknown namespace is a 404; when strict mode finds nothing to expand Keto answers 200
 * with a not-found error object as the body, and so does gatehouse. The tree is written as
 * JSON without recursion, so that any depth limit.max_read_depth allows can be answered.
 */
export function expandRoutes(deps: { engine: ExpandEngine; consistency?: ReadConsistency }): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/relation-tuples/expand',
      async handle(req) {
        const maxDepth = maxDepthFromUrlQuery(req.query);
        const read = await (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
        const tree = await deps.engine.expand(subjectSetFromUrlQuery(req.query), maxDepth, read.consistency, req.signal);
        if (tree === undefined) return withSnaptoken({ status: 200, body: { code: 404, status: 'Not Found', message: 'no relation tuple found' } }, read.snaptoken);
        return withSnaptoken({ status: 200, body: expandTreeToKetoJson(tree), headers: { 'content-type': 'application/json; charset=utf-8' } }, read.snaptoken);
      },
    },
  ];
}
