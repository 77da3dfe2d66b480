import type { RequestedConsistency } from '../consistency.js';

/** The `snaptoken` and `latest` fields of Keto's read requests (Check, BatchCheck, Expand, ListRelationTuples). */
export function requestedConsistency(request: unknown): RequestedConsistency {
  const fields = (request ?? {}) as { snaptoken?: unknown; latest?: unknown };
  return {
    snaptoken: typeof fields.snaptoken === 'string' ? fields.snaptoken : undefined,
    latest: fields.latest === true,
  };
}
