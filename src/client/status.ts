import { GrpcCode, grpcCodeName } from '../grpc-code.js';

/** The error a failed gRPC call ends with. */


/**
 * A call that did not succeed: either the server answered with a non-OK status, or the
 * client could not reach it (then `code` is UNAVAILABLE or DEADLINE_EXCEEDED and `hint`
 * says what to try).
 */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    /** The server's status message, or the client's description of the failure. */
    readonly details: string,
    /** What a person could do about it; one sentence. */
    readonly hint?: string,
    /** The server was not (yet) reachable: waiting and retrying may help (`--block`). */
    readonly transient = false,
  ) {
    super(`${grpcCodeName(code)}: ${details}`);
    this.name = 'GrpcCallError';
  }
}

/** gRPC's mapping of an HTTP status that is not 200 (grpc/grpc: doc/http-grpc-status-mapping.md). */
export function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GrpcCode.INTERNAL;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.UNKNOWN;
  }
}
