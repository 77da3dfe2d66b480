/** A typed unary call over a GrpcConnection: encode, send with a deadline, decode. */
import type { CallOptions, GrpcConnection } from './connection.js';
import { GrpcCode } from '../grpc-code.js';
import { GrpcCallError } from './status.js';
import { unaryMethod } from './schema.js';

export async function callUnary<Response = any>(
  connection: GrpcConnection,
  service: string,
  method: string,
  request: object,
  options: CallOptions = {},
): Promise<Response> {
  const definition = unaryMethod(service, method);
  const answer = await connection.unary(definition.path, definition.encode(request), options);
  try {
    return definition.decode(answer) as Response;
  } catch (err) {
    throw new GrpcCallError(GrpcCode.INTERNAL, `${definition.path}: cannot decode the answer (${(err as Error).message})`);
  }
}
