/**
 * Domain errors. Every failure that reaches a client is one of these; only
 * transport/errors.ts turns them into HTTP statuses, gRPC codes and Keto's envelope.
 */
export type ErrorKind =
  | 'invalid_argument' // 400 / INVALID_ARGUMENT
  | 'not_found' // 404 / NOT_FOUND
  | 'conflict' // 409 / ALREADY_EXISTS
  | 'payload_too_large' // 413 / RESOURCE_EXHAUSTED
  | 'unprocessable' // 422 / FAILED_PRECONDITION (Keto: check could not be completed)
  | 'unauthenticated' // 401 / UNAUTHENTICATED
  | 'not_implemented' // 501 / UNIMPLEMENTED
  | 'unavailable' // 503 / UNAVAILABLE
  | 'deadline_exceeded' // 504 / DEADLINE_EXCEEDED
  | 'cancelled' // 499 (nobody reads it) / CANCELLED: the client went away
  | 'internal'; // 500 / INTERNAL

export class GatehouseError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Keto's machine-readable `reason` field, when it has one. */
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatehouseError';
  }
}

export const invalidArgument = (message: string, reason?: string) =>
  new GatehouseError('invalid_argument', message, reason);

export const notFound = (message: string, reason?: string) => new GatehouseError('not_found', message, reason);

/** Keto's shape: herodot's generic not-found message, the namespace named in `reason`. */
export const unknownNamespace = (name: string) =>
  new GatehouseError('not_found', 'The requested resource could not be found', `Unknown namespace with name "${name}".`);

export const notImplemented = (what: string) =>
  new GatehouseError('not_implemented', `${what} is not implemented yet.`);

export const unavailable = (message: string, cause?: unknown) =>
  new GatehouseError('unavailable', message, undefined, { cause });

export const deadlineExceeded = (message: string) => new GatehouseError('deadline_exceeded', message);

/** What stops the work of a request whose client went away. */
export const cancelled = () => new GatehouseError('cancelled', 'The client cancelled the request.');

export type LimitReason = 'max_depth_exceeded' | 'max_width_exceeded' | 'max_call_steps_exceeded';

/** A check or expand hit one of Keto's limits in strict mode (or the call budget in any mode). */
export const limitExceeded = (reason: LimitReason) =>
  new GatehouseError('unprocessable', 'The check could not be completed', reason);
