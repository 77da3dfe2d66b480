/**
 * A tiny gRPC endpoint for client tests: plaintext HTTP/2 on a free loopback port, answering
 * unary calls from a table of handlers with the project's protobuf schema. Handlers return a
 * response object, or throw `{ code, message }` to answer with a gRPC error status.
 */
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON(JSON.parse(readFileSync(new URL('../../proto/gatehouse.json', import.meta.url), 'utf8')));
const PLAIN = { longs: Number, enums: String, defaults: true, oneofs: true };

export type Handler = (request: any, headers: http2.IncomingHttpHeaders) => object | Promise<object>;

export interface FakeGrpc {
  readonly address: string;
  /** Every call received: its path, decoded request and headers. */
  readonly calls: { path: string; request: any; headers: http2.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export class GrpcStatusError {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

function messageTypes(path: string): { request: protobuf.Type; response: protobuf.Type } {
  const [, service, method] = /^\/(.+)\/([^/]+)$/.exec(path)!;
  const definition = root.lookupService(service!).methods[method!]!;
  definition.resolve();
  return { request: definition.resolvedRequestType!, response: definition.resolvedResponseType! };
}

/** With `tls`, the endpoint serves HTTP/2 over TLS with that key and certificate. */
export async function startFakeGrpc(handlers: Record<string, Handler>, tls?: { key: string; cert: string }): Promise<FakeGrpc> {
  const calls: FakeGrpc['calls'] = [];
  const server = tls ? http2.createSecureServer(tls) : http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s: http2.ServerHttp2Session) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const path = String(headers[':path']);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', async () => {
      const handler = handlers[path];
      if (!handler) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown method' }, { endStream: true });
        return;
      }
      const types = messageTypes(path);
      const body = Buffer.concat(chunks);
      const request = types.request.toObject(types.request.decode(body.subarray(5)), PLAIN);
      calls.push({ path, request, headers });
      try {
        const response = await handler(request, headers);
        const bytes = types.response.encode(types.response.fromObject(response)).finish();
        const framed = Buffer.alloc(5 + bytes.length);
        framed.writeUInt32BE(bytes.length, 1);
        framed.set(bytes, 5);
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(framed);
      } catch (err) {
        if (stream.destroyed) return;
        const status = err instanceof GrpcStatusError ? err : new GrpcStatusError(13, String(err));
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': String(status.code),
            'grpc-message': encodeURIComponent(status.message),
          },
          { endStream: true },
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
