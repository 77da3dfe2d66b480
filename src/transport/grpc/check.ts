import { checkRequestTuple, ketoTupleFromProto, maxDepthFromProto } from '../../api/index.js';
import type { BatchLimits, CheckEngine } from '../../engine/check-engine.js';
import { invalidArgument } from '../../errors.js';
import type { ModelSnapshot } from '../../model.js';
import { batchErrorText, batchItem } from '../rest/check.js';
import type { GrpcUnaryMethod } from './method.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
/** What Keto answers in every snaptoken field. */
const SNAPTOKEN = 'not yet implemented';

/**
 * `CheckService.Check` (the tuple, or the deprecated top-level fields; an unknown
 * namespace is NOT_FOUND) and `CheckService.BatchCheck` (each result allowed or an error text).
 */
export function checkMethods(deps: { engine: CheckEngine; model: () => ModelSnapshot; batchLimits: () => BatchLimits }): GrpcUnaryMethod[] {
  return [
    {
      path: `/${PACKAGE}.CheckService/Check`,
      requestType: `${PACKAGE}.CheckRequest`,
      responseType: `${PACKAGE}.CheckResponse`,
      async handle(request) {
        const tuple = checkRequestTuple(request);
        const allowed = await deps.engine.check(tuple, maxDepthFromProto(request));
        return { allowed, snaptoken: SNAPTOKEN };
      },
    },
    {
      path: `/${PACKAGE}.CheckService/BatchCheck`,
      requestType: `${PACKAGE}.BatchCheckRequest`,
      responseType: `${PACKAGE}.BatchCheckResponse`,
      async handle(request) {
        const tuples: unknown[] = Array.isArray(request?.tuples) ? request.tuples : [];
        const limits = deps.batchLimits();
        if (tuples.length > limits.maxBatchCheckSize) throw invalidArgument(`batch exceeds max size of ${limits.maxBatchCheckSize}`);
        const model = deps.model();
        const items = tuples.map((t) => batchItem(model, ketoTupleFromProto(t)));
        const results = await deps.engine.batchCheck(items, maxDepthFromProto(request), limits);
        return {
          results: results.map((r) => ({ allowed: r.allowed, error: batchErrorText(r) ?? '', snaptoken: SNAPTOKEN })),
        };
      },
    },
  ];
}
