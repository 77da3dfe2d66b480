/**
 * A lean gRPC client connection over node:http2: unary calls with deadlines, over TLS or
 * plaintext HTTP/2 (h2c). Messages are already encoded bytes here; see schema.ts.
 */
import http2 from 'node:http2';
import { isIP } from 'node:net';
import { GrpcCode } from '../grpc-code.js';
import { GrpcCallError, codeForHttpStatus } from './status.js';
import { oneLine, transportFailure } from './transport-failure.js';

export interface ConnectionOptions {
  /** `host:port` (IPv6 hosts in brackets). */
  readonly remote: string;
  /** Plaintext HTTP/2 (Keto's `--insecure-disable-transport-security`). */
  readonly plaintext?: boolean;
  /** Accept any server certificate (Keto's `--insecure-skip-hostname-verification`). */
  readonly skipVerify?: boolean;
  /** Sent as `:authority` and used as the TLS server name. */
  readonly authority?: string;
  /** Sent as `authorization: Bearer …`. */
  readonly bearerToken?: string;
  /** Give up connecting after this many milliseconds. */
  readonly connectTimeoutMs?: number;
}

export interface CallOptions {
  /** The call's deadline, sent as `grpc-timeout` and enforced locally. */
  readonly timeoutMs?: number;
}

const USER_AGENT = 'gatehouse-cli grpc-node-http2';
const MAX_TIMEOUT_DIGITS = 8;

export class GrpcConnection {
  private constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly options: ConnectionOptions,
  ) {}

  static connect(options: ConnectionOptions): Promise<GrpcConnection> {
    const { host, port } = splitRemote(options.remote);
    const plaintext = options.plaintext ?? false;
    const url = `${plaintext ? 'http' : 'https'}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const serverName = options.authority ? splitRemote(options.authority, port).host : host;
    const tlsOptions = plaintext
      ? {}
      : { rejectUnauthorized: !options.skipVerify, ...(isIP(serverName) ? {} : { servername: serverName }) };
    const failureContext = { remote: options.remote, plaintext };

    return new Promise((resolve, reject) => {
      const session = http2.connect(url, { ...tlsOptions, settings: { enablePush: false } });
      const timer =
        options.connectTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              session.destroy();
              reject(
                new GrpcCallError(
                  GrpcCode.DEADLINE_EXCEEDED,
                  `could not connect to ${options.remote} within ${options.connectTimeoutMs} ms`,
                  'check the remote address, or pass --block to wait until the server is up',
                  true,
                ),
              );
            }, options.connectTimeoutMs);
      const onError = (err: unknown) => {
        clearTimeout(timer);
        session.destroy();
        reject(transportFailure(err, failureContext));
      };
      session.once('error', onError);
      session.once('connect', () => {
        clearTimeout(timer);
        session.off('error', onError);
        // Later session errors surface through the streams that are open at that moment.
        session.on('error', () => {});
        resolve(new GrpcConnection(session, options));
      });
    });
  }

  /** One unary call: `path` is `/package.Service/Method`. Resolves with the response message bytes. */
  unary(path: string, request: Uint8Array, call: CallOptions = {}): Promise<Buffer> {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc+proto',
      te: 'trailers',
      'user-agent': USER_AGENT,
    };
    if (this.options.authority) headers[':authority'] = this.options.authority;
    if (this.options.bearerToken) headers.authorization = `Bearer ${this.options.bearerToken}`;
    if (call.timeoutMs !== undefined) headers['grpc-timeout'] = grpcTimeout(call.timeoutMs);

    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: GrpcCallError | undefined, value?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value!);
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session.request(headers);
      } catch (err) {
        finish(transportFailure(err, { remote: this.options.remote, plaintext: this.options.plaintext ?? false }));
        return;
      }
      const timer =
        call.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              stream.close(http2.constants.NGHTTP2_CANCEL);
              finish(
                new GrpcCallError(
                  GrpcCode.DEADLINE_EXCEEDED,
                  `${path} did not answer within ${call.timeoutMs} ms`,
                  'retry later, or raise the deadline with --timeout',
                ),
              );
            }, call.timeoutMs);

      const chunks: Buffer[] = [];
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on('response', (h) => (responseHeaders = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) =>
        finish(transportFailure(err, { remote: this.options.remote, plaintext: this.options.plaintext ?? false })),
      );
      stream.on('close', () => {
        try {
          finish(undefined, readResponse(path, responseHeaders, trailers, Buffer.concat(chunks)));
        } catch (err) {
          finish(err as GrpcCallError);
        }
      });
      stream.end(frame(request));
    });
  }

  close(): void {
    this.session.close();
  }
}

function readResponse(
  path: string,
  headers: http2.IncomingHttpHeaders,
  trailers: http2.IncomingHttpHeaders,
  body: Buffer,
): Buffer {
  const httpStatus = Number(headers[':status'] ?? 0);
  if (httpStatus === 0) throw new GrpcCallError(GrpcCode.UNAVAILABLE, `${path}: the connection closed before an answer`);
  // A trailers-only answer carries its status in the headers.
  const statusSource = trailers['grpc-status'] !== undefined ? trailers : headers;
  const status = statusSource['grpc-status'];
  if (status === undefined) {
    if (httpStatus !== 200) {
      throw new GrpcCallError(
        codeForHttpStatus(httpStatus),
        `${path}: HTTP status ${httpStatus} instead of a gRPC answer`,
        'check that the remote address is a gatehouse or Keto gRPC port (read 4466, write 4467)',
      );
    }
    throw new GrpcCallError(GrpcCode.INTERNAL, `${path}: the answer carries no grpc-status`);
  }
  const code = Number(status);
  if (code !== GrpcCode.OK) {
    throw new GrpcCallError(code, oneLine(decodeMessage(String(statusSource['grpc-message'] ?? ''))));
  }
  return unframe(path, body);
}

function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** gRPC's length-prefixed message: 1 byte "compressed" flag, 4 bytes big-endian length. */
function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function unframe(path: string, body: Buffer): Buffer {
  if (body.length < 5) throw new GrpcCallError(GrpcCode.INTERNAL, `${path}: the answer has no message`);
  if (body.readUInt8(0) !== 0) {
    throw new GrpcCallError(GrpcCode.INTERNAL, `${path}: the answer is compressed, which this client did not ask for`);
  }
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new GrpcCallError(GrpcCode.INTERNAL, `${path}: the answer is truncated`);
  return body.subarray(5, 5 + length);
}

/** `grpc-timeout` allows at most 8 digits; fall back to coarser units for long deadlines. */
function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  if (String(whole).length <= MAX_TIMEOUT_DIGITS) return `${whole}m`;
  return `${Math.ceil(whole / 1000)}S`;
}

/** `host:port`, `[v6]:port`; a missing port falls back to `defaultPort`. */
export function splitRemote(remote: string, defaultPort?: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(remote);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(remote);
  const match = bracketed ?? plain;
  const port = match?.[2] !== undefined ? Number(match[2]) : defaultPort;
  if (!match || port === undefined || !(port > 0 && port < 65536)) {
    throw new GrpcCallError(
      GrpcCode.INVALID_ARGUMENT,
      `remote ${JSON.stringify(remote)} is not an address of the form host:port`,
      'write the remote as host:port, for example 127.0.0.1:4466',
    );
  }
  return { host: match[1]!, port };
}
