/** Typed calls over a GrpcConnection: encode, send with a deadline, decode. */
import type { CallOptions, GrpcConnection, StreamCallOptions } from './connection.js';
import { GrpcCode } from '../grpc-code.js';
import { GrpcCallError } from './status.js';
import { methodCodec, type MethodCodec } from './schema.js';

export async function callUnary<Response = any>(
  connection: GrpcConnection,
  service: string,
  method: string,
  request: object,
  options: CallOptions = {},
): Promise<Response> {
  const definition = methodCodec(service, method);
  return decodeAnswer(definition, await connection.unary(definition.path, definition.encode(request), options));
}

/** A server-streaming call: each response message, decoded, as it arrives. */
export async function* callServerStream<Response = any>(
  connection: GrpcConnection,
  service: string,
  method: string,
  request: object,
  options: StreamCallOptions = {},
): AsyncGenerator<Response> {
  const definition = methodCodec(service, method);
  for await (const answer of connection.serverStream(definition.path, definition.encode(request), options)) {
    yield decodeAnswer(definition, answer);
  }
}

function decodeAnswer(definition: MethodCodec, answer: Buffer): any {
  try {
    return definition.decode(answer);
  } catch (err) {
    throw new GrpcCallError(GrpcCode.INTERNAL, `${definition.path}: cannot decode the answer (${(err as Error).message})`);
  }
}
