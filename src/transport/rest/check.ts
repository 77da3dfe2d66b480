import type { CancelSignal } from '../../cancellation.js';
import {
  decodeBatchCheckBody,
  decodeCheckBody,
  decodeKetoTuple,
  explanationToJson,
  type KetoTupleJson,
  maxDepthFromUrlQuery,
  relationTupleFromUrlQuery,
  tupleFromKeto,
} from '../../api/index.js';
import type { BatchCheckItem, BatchCheckResult, BatchLimits, CheckEngine, ExplainedCheck } from '../../engine/check-engine.js';
import type { Consistency, MaybePromise } from '../../reader.js';
import { GatehouseError, unknownNamespace } from '../../errors.js';
import type { ModelSnapshot } from '../../model.js';
import type { RelationTuple } from '../../tuple.js';
import { consistencyFromUrlQuery, type PinnedRead, type ReadConsistency, UNVERSIONED, withSnaptoken } from '../consistency.js';
import { INTERNAL_ERROR_MESSAGE, toHttpError } from '../errors.js';
import type { RestRequest, RestResponse, RestRoute } from './route.js';

export interface CheckRouteDeps {
  readonly engine: CheckEngine;
  readonly model: () => ModelSnapshot;
  readonly batchLimits: () => BatchLimits;
  /** Snaptokens of the engine's reads; without it, reads have no revision and carry no token. */
  readonly consistency?: ReadConsistency;
}

/**
 * Keto's check routes on the read port: `GET|POST /relation-tuples/check` (200 allowed,
 * 403 denied), `GET|POST /relation-tuples/check/openapi` (always 200) and
 * `POST /relation-tuples/batch/check`. A tuple naming an unknown namespace is simply
 * not allowed, as in Keto. gatehouse's `snaptoken` and `latest` query parameters choose the
 * revision read; the answer's is in the Gatehouse-Snaptoken header.
 */
export function checkRoutes(deps: CheckRouteDeps): RestRoute[] {
  const pin = (req: RestRequest): MaybePromise<PinnedRead> => (deps.consistency ?? UNVERSIONED).pin(consistencyFromUrlQuery(req.query));
  /** At once when the read needs no waiting and the engine answers at once. */
  const checked = (req: RestRequest, tuple: () => RelationTuple, answer: (allowed: boolean) => RestResponse): MaybePromise<RestResponse> => {
    const maxDepth = maxDepthFromUrlQuery(req.query);
    const answered = (read: PinnedRead) => {
      const response =
        req.query.get('explain') === 'true'
          ? explained(deps, req, tuple, maxDepth, read.consistency, answer)
          : allowedOrUnknown(deps, tuple, maxDepth, read.consistency, answer, req.signal);
      return response instanceof Promise ? response.then((r) => withSnaptoken(r, read.snaptoken)) : withSnaptoken(response, read.snaptoken);
    };
    const read = pin(req);
    return read instanceof Promise ? read.then(answered) : answered(read);
  };
  const fromQuery = (req: RestRequest, answer: (allowed: boolean) => RestResponse) => checked(req, () => relationTupleFromUrlQuery(req.query), answer);
  const fromBody = (req: RestRequest, answer: (allowed: boolean) => RestResponse) => {
    const body = decodeCheckBody(() => decodeKetoTuple(req.json()));
    return checked(req, () => readableTuple(deps.model(), body), answer);
  };
  const mirrored = (allowed: boolean): RestResponse => (allowed ? ALLOWED : DENIED);
  const plain = (allowed: boolean): RestResponse => (allowed ? ALLOWED : NOT_ALLOWED);
  return [
    { method: 'GET', path: '/relation-tuples/check', handle: (req) => fromQuery(req, mirrored) },
    { method: 'POST', path: '/relation-tuples/check', handle: (req) => fromBody(req, mirrored) },
    { method: 'GET', path: '/relation-tuples/check/openapi', handle: (req) => fromQuery(req, plain) },
    { method: 'POST', path: '/relation-tuples/check/openapi', handle: (req) => fromBody(req, plain) },
    {
      method: 'POST',
      path: '/relation-tuples/batch/check',
      async handle(req) {
        const maxDepth = maxDepthFromUrlQuery(req.query);
        const bodies = decodeCheckBody(() => decodeBatchCheckBody(req.json()));
        const model = deps.model();
        const items = bodies.map((body) => batchItem(model, body));
        const read = await pin(req);
        const results = await deps.engine.batchCheck(items, maxDepth, deps.batchLimits(), read.consistency, req.signal);
        return withSnaptoken({ status: 200, body: { results: results.map(batchResultToKeto) } }, read.snaptoken);
      },
    },
  ];
}

const ALLOWED: RestResponse = { status: 200, body: { allowed: true } };
const DENIED: RestResponse = { status: 403, body: { allowed: false } };
const NOT_ALLOWED: RestResponse = { status: 200, body: { allowed: false } };

/**
 * The check's answer, without waiting when the engine answers at once; a tuple in an unknown
 * namespace is not allowed (Keto's handlers swallow that 404).
 */
function allowedOrUnknown(
  deps: CheckRouteDeps,
  tuple: () => RelationTuple,
  maxDepth: number,
  consistency: Consistency,
  answer: (allowed: boolean) => RestResponse,
  signal: CancelSignal,
): RestResponse | Promise<RestResponse> {
  const deniedIfUnknown = (err: unknown) => {
    if (err instanceof GatehouseError && err.kind === 'not_found') return answer(false);
    throw err;
  };
  let allowed: MaybePromise<boolean>;
  try {
    allowed = deps.engine.check(tuple(), maxDepth, consistency, signal);
  } catch (err) {
    return deniedIfUnknown(err);
  }
  return allowed instanceof Promise ? allowed.then(answer, deniedIfUnknown) : answer(allowed);
}

/**
 * gatehouse's `explain=true`: the check's answer as without it, plus `explanation`, the
 * steps that granted it or every branch tried and why it failed (`explanation_truncated`
 * when the evaluation was too long to record whole). A check that fails (strict mode's
 * limits, the call budget) answers its error envelope with the explanation beside it.
 */
async function explained(
  deps: CheckRouteDeps,
  req: RestRequest,
  tuple: () => RelationTuple,
  maxDepth: number,
  consistency: Consistency,
  answer: (allowed: boolean) => RestResponse,
): Promise<RestResponse> {
  let result: ExplainedCheck;
  try {
    result = await deps.engine.explain(tuple(), maxDepth, consistency, req.signal);
  } catch (err) {
    if (err instanceof GatehouseError && err.kind === 'not_found') return answer(false);
    throw err;
  }
  const extra = { explanation: explanationToJson(result.explanation), ...(result.truncated ? { explanation_truncated: true } : {}) };
  if (result.error !== undefined) {
    const requestId = req.headers['x-request-id'];
    const failed = toHttpError(result.error, typeof requestId === 'string' ? requestId : undefined);
    return { status: failed.status, body: { ...failed.body, ...extra } };
  }
  const plain = answer(result.allowed);
  return { ...plain, body: { ...(plain.body as object), ...extra } };
}

/** A decoded body as Keto's mapper reads it: the namespace is looked up before the subject is validated. */
export function readableTuple(model: ModelSnapshot, body: KetoTupleJson): RelationTuple {
  if (model.namespace(body.namespace) === undefined) throw unknownNamespace(body.namespace);
  return tupleFromKeto(body);
}

/** A batch entry: its tuple, or the error reading it gave (reported in that entry's result). */
export function batchItem(model: ModelSnapshot, body: KetoTupleJson): BatchCheckItem {
  try {
    return readableTuple(model, body);
  } catch (err) {
    if (err instanceof GatehouseError) return err;
    throw err;
  }
}

/** Keto's error text for a batch result: the error's message (herodot's title for a missing namespace). */
export function batchErrorText(result: BatchCheckResult): string | undefined {
  const error = result.error;
  if (error === undefined) return undefined;
  if (!(error instanceof GatehouseError)) return error.limit;
  if (error.kind === 'internal') return INTERNAL_ERROR_MESSAGE;
  return error.message;
}

function batchResultToKeto(result: BatchCheckResult): { allowed: boolean; error?: string } {
  const error = batchErrorText(result);
  return error === undefined ? { allowed: result.allowed } : { allowed: result.allowed, error };
}
