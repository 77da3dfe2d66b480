import { STATUS_CODES } from 'node:http';
import { GatehouseError, type ErrorKind } from '../errors.js';
import { GrpcCode } from '../grpc-code.js';
import { ChangelogPruned } from '../store/store.js';

/**
 * The one place where failures become wire answers: an HTTP status with Keto's (herodot's)
 * JSON envelope, or a gRPC status. A value that is not a GatehouseError is answered as a
 * generic internal error; its details are for the log only, never for the client.
 */

const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  internal: 500,
  not_implemented: 501,
  unavailable: 503,
  deadline_exceeded: 504,
  cancelled: 499,
};

const GRPC_CODE: Readonly<Record<ErrorKind, GrpcCode>> = {
  invalid_argument: GrpcCode.INVALID_ARGUMENT,
  unauthenticated: GrpcCode.UNAUTHENTICATED,
  not_found: GrpcCode.NOT_FOUND,
  conflict: GrpcCode.ALREADY_EXISTS,
  payload_too_large: GrpcCode.RESOURCE_EXHAUSTED,
  unprocessable: GrpcCode.FAILED_PRECONDITION,
  internal: GrpcCode.INTERNAL,
  not_implemented: GrpcCode.UNIMPLEMENTED,
  unavailable: GrpcCode.UNAVAILABLE,
  deadline_exceeded: GrpcCode.DEADLINE_EXCEEDED,
  cancelled: GrpcCode.CANCELLED,
};

/** What Ory's servers say when they cannot tell the client more. */
export const INTERNAL_ERROR_MESSAGE = 'An internal server error occurred, please contact the system administrator';

export interface ErrorEnvelope {
  error: { code: number; status: string; message: string; reason?: string; request?: string };
}

export interface HttpErrorAnswer {
  status: number;
  body: ErrorEnvelope;
  /** True when the failure was not a GatehouseError (or was an internal one): log it with its details. */
  unexpected: boolean;
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** An error envelope for a status and message chosen by the transport itself (404, 405, 413, 431 …). */
export function envelope(status: number, message: string, reason?: string, requestId?: string): ErrorEnvelope {
  const error: ErrorEnvelope['error'] = { code: status, status: statusText(status), message };
  if (reason !== undefined && reason !== '') error.reason = reason;
  if (requestId !== undefined) error.request = requestId;
  return { error };
}

/** A watch asked to resume where the changelog was pruned: 410 Gone, OUT_OF_RANGE. */
const GONE = 410;

export function toHttpError(err: unknown, requestId?: string): HttpErrorAnswer {
  if (err instanceof ChangelogPruned) return { status: GONE, body: envelope(GONE, err.message, 'changelog_pruned', requestId), unexpected: false };
  if (err instanceof GatehouseError && err.kind !== 'internal') {
    const status = HTTP_STATUS[err.kind];
    return { status, body: envelope(status, err.message, err.reason, requestId), unexpected: false };
  }
  return { status: 500, body: envelope(500, INTERNAL_ERROR_MESSAGE, undefined, requestId), unexpected: true };
}

export interface GrpcErrorAnswer {
  code: GrpcCode;
  message: string;
  unexpected: boolean;
}

/** gRPC has no `reason` field: the message carries it, so a gRPC client learns what the REST envelope says. */
export function toGrpcError(err: unknown): GrpcErrorAnswer {
  if (err instanceof ChangelogPruned) return { code: GrpcCode.OUT_OF_RANGE, message: `${err.message}: changelog_pruned`, unexpected: false };
  if (err instanceof GatehouseError && err.kind !== 'internal') {
    const message = err.reason === undefined || err.reason === '' ? err.message : `${err.message}: ${err.reason}`;
    return { code: GRPC_CODE[err.kind], message, unexpected: false };
  }
  return { code: GrpcCode.INTERNAL, message: INTERNAL_ERROR_MESSAGE, unexpected: true };
}
