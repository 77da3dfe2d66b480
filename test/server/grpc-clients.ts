import grpc from '@grpc/grpc-js';
import { messageType, TO_OBJECT } from '../../src/transport/grpc/schema.js';

/** Stock @grpc/grpc-js clients over gatehouse's own compiled schema, for tests. */

/** A grpc-js method definition coded with gatehouse's message types (unary unless `streams`). */
export function methodDefinition(path: string, requestType: string, responseType: string, streams = false): grpc.MethodDefinition<object, object> {
  const req = messageType(requestType);
  const res = messageType(responseType);
  return {
    path,
    requestStream: streams,
    responseStream: streams,
    requestSerialize: (value: object) => Buffer.from(req.encode(req.fromObject(value)).finish()),
    requestDeserialize: (bytes: Buffer) => req.toObject(req.decode(bytes), TO_OBJECT),
    responseSerialize: (value: object) => Buffer.from(res.encode(res.fromObject(value)).finish()),
    responseDeserialize: (bytes: Buffer) => res.toObject(res.decode(bytes), TO_OBJECT),
  };
}

export function unaryCall<T = any>(
  address: string,
  path: string,
  requestType: string,
  responseType: string,
  request: object,
  options: { credentials?: grpc.ChannelCredentials; channelOptions?: grpc.ChannelOptions; callOptions?: grpc.CallOptions } = {},
): Promise<T> {
  const Client = grpc.makeGenericClientConstructor({ call: methodDefinition(path, requestType, responseType) }, 'Test');
  const client = new Client(address, options.credentials ?? grpc.credentials.createInsecure(), options.channelOptions);
  return new Promise<T>((resolve, reject) => {
    (client as any).call(request, options.callOptions ?? {}, (err: grpc.ServiceError | null, response: T) => {
      client.close();
      if (err) reject(err);
      else resolve(response);
    });
  });
}

/** Opens a streaming call; sends the requests, half-closes, and collects the responses. */
export function streamCall<T = any>(
  address: string,
  path: string,
  requestType: string,
  responseType: string,
  requests: object[],
  options: { halfClose?: boolean; take?: number } = {},
): Promise<T[]> {
  const Client = grpc.makeGenericClientConstructor({ call: methodDefinition(path, requestType, responseType, true) }, 'Test');
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise<T[]>((resolve, reject) => {
    const call = (client as any).call() as grpc.ClientDuplexStream<object, T>;
    const got: T[] = [];
    call.on('data', (message: T) => {
      got.push(message);
      if (options.take !== undefined && got.length === options.take) {
        call.cancel();
        client.close();
        resolve(got);
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      client.close();
      if (options.take === undefined || got.length < options.take) reject(err);
    });
    call.on('end', () => {
      client.close();
      resolve(got);
    });
    for (const request of requests) call.write(request);
    if (options.halfClose !== false) call.end();
  });
}
