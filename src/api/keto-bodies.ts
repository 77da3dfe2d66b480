/**
 * The JSON bodies that hold several tuples: PATCH /admin/relation-tuples and
 * POST /relation-tuples/batch/check. The whole body is type-checked first (the first
 * mismatch wins), then validated in order, as Keto does.
 */
import { GatehouseError } from '../errors.js';
import type { RelationTuple } from '../tuple.js';
import { badRequest } from './errors.js';
import { fieldPlace, goFieldFor, goString, goTypeError, isJsonObject } from './go-json.js';
import { decodeKetoTuple, tupleFromKeto, type KetoTupleJson } from './keto-json.js';

export type PatchAction = 'insert' | 'delete';

export interface RelationTupleDelta {
  readonly action: PatchAction;
  readonly tuple: RelationTuple;
}

/** Parses a PATCH body `[{"action":"insert"|"delete","relation_tuple":{…}}]`. */
export function parsePatchDeltas(body: unknown): RelationTupleDelta[] {
  if (body === null) return [];
  if (!Array.isArray(body)) throw goTypeError(body, '[]*ketoapi.PatchDelta', undefined);
  const decoded = body.map((element) => {
    const delta: { action: string; tuple?: KetoTupleJson } = { action: '' };
    if (element === null) return delta;
    if (!isJsonObject(element)) throw goTypeError(element, 'ketoapi.PatchDelta', undefined);
    for (const [key, v] of Object.entries(element)) {
      const field = goFieldFor(key, ['action', 'relation_tuple'] as const);
      if (field === 'action') {
        delta.action = goString(v, delta.action, fieldPlace('PatchDelta', undefined, 'action'), 'ketoapi.PatchAction');
      } else if (field === 'relation_tuple') {
        if (v === null) delete delta.tuple;
        else delta.tuple = decodeKetoTuple(v, fieldPlace('PatchDelta', undefined, 'relation_tuple'));
      }
    }
    return delta;
  });
  return decoded.map(({ action, tuple }) => {
    if (tuple === undefined) throw badRequest('relation_tuple is missing');
    const domain = tupleFromKeto(tuple);
    if (action !== 'insert' && action !== 'delete') throw badRequest(`unknown action ${action}`);
    return { action, tuple: domain };
  });
}

/**
 * Decodes a batch check body `{"tuples":[…]}`. The tuples are returned unvalidated: Keto
 * reports a bad tuple in that tuple's result (`tupleFromKeto` gives the message), not as a
 * failed request. The batch size limit is the caller's to check.
 */
export function decodeBatchCheckBody(body: unknown): KetoTupleJson[] {
  if (body === null) return [];
  if (!isJsonObject(body)) throw goTypeError(body, 'check.batchCheckPermissionBody', undefined);
  let tuples: KetoTupleJson[] = [];
  for (const [key, v] of Object.entries(body)) {
    if (goFieldFor(key, ['tuples'] as const) === undefined) continue;
    const place = fieldPlace('batchCheckPermissionBody', undefined, 'tuples');
    if (v === null) tuples = [];
    else if (!Array.isArray(v)) throw goTypeError(v, '[]*ketoapi.RelationTuple', place);
    else tuples = v.map((t) => decodeKetoTuple(t, place));
  }
  return tuples;
}

/**
 * The check routes (single and batch) report body decoding failures, JSON syntax included,
 * as `could not unmarshal json: <reason>`; wrap the parse and decode steps in this.
 * Validation (`tupleFromKeto`) comes later and is not wrapped.
 */
export function decodeCheckBody<T>(decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof GatehouseError && e.kind === 'invalid_argument') throw badRequest(`could not unmarshal json: ${e.message}`);
    throw e;
  }
}
