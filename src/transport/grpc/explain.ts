import { explanationToSteps, maxDepthFromProto, tupleFromProto } from '../../api/index.js';
import type { CheckEngine } from '../../engine/check-engine.js';
import { type ReadConsistency, SNAPTOKEN_HEADER, UNVERSIONED } from '../consistency.js';
import { requestedConsistency } from './consistency.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'gatehouse.v1';

/**
 * `gatehouse.v1.ExplainService.Check` (read port): the check's answer as CheckService.Check
 * gives it, with the explanation the evaluator recorded, sent as a flat list of steps.
 */
export function explainMethods(deps: { engine: CheckEngine; consistency?: ReadConsistency }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.ExplainService/Check`,
      requestType: `${PACKAGE}.ExplainCheckRequest`,
      responseType: `${PACKAGE}.ExplainCheckResponse`,
      async handle(request, call) {
        const tuple = tupleFromProto(request?.tuple);
        const read = await (deps.consistency ?? UNVERSIONED).pin(requestedConsistency(request));
        if (read.snaptoken !== undefined) call?.setHeader(SNAPTOKEN_HEADER, read.snaptoken);
        const result = await deps.engine.explain(tuple, maxDepthFromProto(request), read.consistency);
        return {
          allowed: result.allowed,
          steps: explanationToSteps(result.explanation),
          truncated: result.truncated,
          error: result.error?.reason ?? result.error?.message ?? '',
          snaptoken: read.snaptoken ?? '',
        };
      },
    },
  ];
}
