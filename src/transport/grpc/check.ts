import { checkRequestTuple, ketoTupleFromProto, maxDepthFromProto } from '../../api/index.js';
import type { BatchLimits, CheckEngine } from '../../engine/check-engine.js';
import { invalidArgument } from '../../errors.js';
import type { MaybePromise } from '../../reader.js';
import type { ModelSnapshot } from '../../model.js';
import { batchErrorText, batchItem } from '../rest/check.js';
import { type PinnedRead, type ReadConsistency, SNAPTOKEN_HEADER, UNVERSIONED } from '../consistency.js';
import type { GrpcUnaryCall, GrpcUnaryMethod } from './method.js';
import { requestedConsistency } from './consistency.js';

const PACKAGE = 'ory.keto.relation_tuples.v1alpha2';
/** What Keto answers in every snaptoken field, and gatehouse where reads have no revisions. */
const SNAPTOKEN = 'not yet implemented';

/**
 * `CheckService.Check` (the tuple, or the deprecated top-level fields; an unknown
 * namespace is NOT_FOUND) and `CheckService.BatchCheck` (each result allowed or an error text).
 */
export function checkMethods(deps: {
  engine: CheckEngine;
  model: () => ModelSnapshot;
  batchLimits: () => BatchLimits;
  consistency?: ReadConsistency;
}): GrpcUnaryMethod[] {
  /** The request's `latest` and `snaptoken`: the revision read, and its token (also sent as response metadata). */
  const pin = (request: unknown, call: GrpcUnaryCall | undefined): MaybePromise<PinnedRead> => {
    const noted = (read: PinnedRead) => {
      if (read.snaptoken !== undefined) call?.setHeader(SNAPTOKEN_HEADER, read.snaptoken);
      return read;
    };
    const read = (deps.consistency ?? UNVERSIONED).pin(requestedConsistency(request));
    return read instanceof Promise ? read.then(noted) : noted(read);
  };
  return [
    {
      path: `/${PACKAGE}.CheckService/Check`,
      requestType: `${PACKAGE}.CheckRequest`,
      responseType: `${PACKAGE}.CheckResponse`,
      handle(request, call) {
        const tuple = checkRequestTuple(request);
        const answered = (read: PinnedRead) => {
          const reply = (allowed: boolean) => ({ allowed, snaptoken: read.snaptoken ?? SNAPTOKEN });
          const allowed = deps.engine.check(tuple, maxDepthFromProto(request), read.consistency, call?.signal);
          return allowed instanceof Promise ? allowed.then(reply) : reply(allowed);
        };
        const read = pin(request, call);
        return read instanceof Promise ? read.then(answered) : answered(read);
      },
    },
    {
      path: `/${PACKAGE}.CheckService/BatchCheck`,
      requestType: `${PACKAGE}.BatchCheckRequest`,
      responseType: `${PACKAGE}.BatchCheckResponse`,
      async handle(request, call) {
        const tuples: unknown[] = Array.isArray(request?.tuples) ? request.tuples : [];
        const limits = deps.batchLimits();
        if (tuples.length > limits.maxBatchCheckSize) throw invalidArgument(`batch exceeds max size of ${limits.maxBatchCheckSize}`);
        const model = deps.model();
        const items = tuples.map((t) => batchItem(model, ketoTupleFromProto(t)));
        const read = await pin(request, call);
        const results = await deps.engine.batchCheck(items, maxDepthFromProto(request), limits, read.consistency, call?.signal);
        const snaptoken = read.snaptoken ?? SNAPTOKEN;
        return {
          results: results.map((r) => ({ allowed: r.allowed, error: batchErrorText(r) ?? '', snaptoken })),
        };
      },
    },
  ];
}
