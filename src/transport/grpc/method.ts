import type { CancelSignal } from '../../cancellation.js';
import type { MaybePromise } from '../../reader.js';

/**
 * One unary gRPC method. Messages are plain objects as protobufjs converts them
 * (`toObject({ longs: Number, enums: String, defaults: true, oneofs: true })`,
 * camelCase field names); handlers throw GatehouseError on failure.
 */
export interface GrpcUnaryMethod {
  /** e.g. `/ory.keto.relation_tuples.v1alpha2.CheckService/Check`. */
  readonly path: string;
  /** Fully qualified message type names, e.g. `ory.keto.relation_tuples.v1alpha2.CheckRequest`. */
  readonly requestType: string;
  readonly responseType: string;
  /** The answer, at once where nothing needs waiting for. */
  handle(request: any, call?: GrpcUnaryCall): MaybePromise<object>;
}

/** What a unary handler may add to its answer besides the response message. */
export interface GrpcUnaryCall {
  /** Sets a response header (metadata) sent with the answer, e.g. `gatehouse-snaptoken`. */
  setHeader(name: string, value: string): void;
  /** Aborted, with the error to stop with, when the call ends before its answer: deadline passed, client cancelled, shutdown. */
  readonly signal: CancelSignal;
}
