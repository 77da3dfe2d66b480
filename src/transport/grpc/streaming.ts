/**
 * A streaming gRPC method (health Watch, server reflection). Unary feature methods use
 * GrpcUnaryMethod (method.ts); these few protocol services need the request and response streams.
 */
export interface GrpcCall {
  /** Aborted when the client cancels or the server begins shutting down. */
  readonly signal: AbortSignal;
  /** True once the server began shutting down. */
  readonly stopping: boolean;
  send(message: object): void;
  /** Bytes sent but not yet taken by the transport: what a slow client leaves queued. */
  readonly buffered: number;
  /** Resolves once the queue has drained, or the call has ended. */
  drained(): Promise<void>;
}

export interface GrpcStreamingMethod {
  readonly path: string;
  readonly requestType: string;
  readonly responseType: string;
  /** Resolving ends the call with OK; throwing ends it with the error's status. */
  serve(requests: AsyncIterable<any>, call: GrpcCall): Promise<void>;
}
