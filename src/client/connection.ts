/**
 * A lean gRPC client connection over node:http2: unary and server-streaming calls with deadlines, over TLS or
 * plaintext HTTP/2 (h2c). Messages are already encoded bytes here; see schema.ts.
 */
import http2 from 'node:http2';
import { isIP } from 'node:net';
import { GrpcCode } from '../grpc-code.js';
import { encodeFrame, FrameDecoder } from '../transport/grpc/frames.js';
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
  /** Called with the response headers (metadata such as gatehouse-snaptoken) when they arrive. */
  readonly onHeaders?: (headers: http2.IncomingHttpHeaders) => void;
}

export interface StreamCallOptions extends CallOptions {
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

const USER_AGENT = 'gatehouse-cli grpc-node-http2';
const MAX_TIMEOUT_DIGITS = 8;
/** The largest message a streamed answer may carry (a page of 1000 lookup answers is far below it). */
const MAX_STREAM_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A stream pauses when this many messages wait for the reader, and resumes below the low mark. */
const STREAM_QUEUE_HIGH = 64;
const STREAM_QUEUE_LOW = 16;

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

  /** Opens the HTTP/2 stream of a call: `path` is `/package.Service/Method`. */
  private open(path: string, call: CallOptions): http2.ClientHttp2Stream {
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
    try {
      return this.session.request(headers);
    } catch (err) {
      throw this.failure(err);
    }
  }

  private failure(err: unknown): GrpcCallError {
    return transportFailure(err, { remote: this.options.remote, plaintext: this.options.plaintext ?? false });
  }

  /** One unary call. Resolves with the response message bytes. */
  unary(path: string, request: Uint8Array, call: CallOptions = {}): Promise<Buffer> {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.open(path, call);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: GrpcCallError | undefined, value?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value!);
      };
      const timer =
        call.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              stream.close(http2.constants.NGHTTP2_CANCEL);
              finish(deadlineExceeded(path, call.timeoutMs!));
            }, call.timeoutMs);

      const chunks: Buffer[] = [];
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on('response', (h) => {
        responseHeaders = h;
        call.onHeaders?.(h);
      });
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => finish(this.failure(err)));
      stream.on('close', () => {
        try {
          const failed = callStatus(path, responseHeaders, trailers);
          finish(failed, failed === undefined ? unframe(path, Buffer.concat(chunks)) : undefined);
        } catch (err) {
          finish(err as GrpcCallError);
        }
      });
      stream.end(encodeFrame(request));
    });
  }

  /**
   * A server-streaming call: sends `request` and yields each response message's bytes as it
   * arrives; ends when the call ends with OK and throws a GrpcCallError for any other status
   * or a broken connection. Leaving the loop, or `call.signal`, cancels the call. A slow
   * reader holds at most STREAM_QUEUE_HIGH messages: the stream pauses until it catches up.
   */
  async *serverStream(path: string, request: Uint8Array, call: StreamCallOptions = {}): AsyncGenerator<Buffer> {
    const stream = this.open(path, call);
    const decoder = new FrameDecoder(MAX_STREAM_MESSAGE_BYTES);
    const queue: Buffer[] = [];
    /** undefined while the call runs; null once it ended with OK. */
    let ended: GrpcCallError | null | undefined;
    let wake: (() => void) | undefined;
    const end = (outcome: GrpcCallError | null) => {
      ended ??= outcome;
      wake?.();
    };
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => (responseHeaders = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => {
      queue.push(...decoder.push(chunk));
      if (decoder.problem !== undefined) {
        const what = decoder.problem.kind === 'compressed' ? 'is compressed, which this client did not ask for' : 'is too large';
        end(new GrpcCallError(GrpcCode.INTERNAL, `${path}: a message of the answer ${what}`));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
      if (queue.length >= STREAM_QUEUE_HIGH) stream.pause();
      wake?.();
    });
    stream.on('error', (err) => end(this.failure(err)));
    stream.on('close', () => {
      try {
        // Headers without a status, or none at all: the connection broke during the call.
        const broken = Number(responseHeaders[':status']) === 200 && responseHeaders['grpc-status'] === undefined && trailers['grpc-status'] === undefined;
        if (broken) end(new GrpcCallError(GrpcCode.UNAVAILABLE, `${path}: the connection to ${this.options.remote} broke during the call`));
        else end(callStatus(path, responseHeaders, trailers) ?? null);
      } catch (err) {
        end(err as GrpcCallError);
      }
    });
    const timer =
      call.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            end(deadlineExceeded(path, call.timeoutMs!));
            stream.close(http2.constants.NGHTTP2_CANCEL);
          }, call.timeoutMs);
    const cancel = () => {
      end(new GrpcCallError(GrpcCode.CANCELLED, `${path}: cancelled`));
      stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    call.signal?.addEventListener('abort', cancel, { once: true });
    if (call.signal?.aborted) cancel();
    stream.end(encodeFrame(request));
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          if (queue.length < STREAM_QUEUE_LOW && stream.isPaused()) stream.resume();
          yield next;
        } else if (ended === null) return;
        else if (ended !== undefined) throw ended;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', cancel);
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    }
  }

  close(): void {
    this.session.close();
  }
}

/** The failure a call's status stands for; undefined when it ended with OK. */
function callStatus(path: string, headers: http2.IncomingHttpHeaders, trailers: http2.IncomingHttpHeaders): GrpcCallError | undefined {
  const httpStatus = Number(headers[':status'] ?? 0);
  if (httpStatus === 0) return new GrpcCallError(GrpcCode.UNAVAILABLE, `${path}: the connection closed before an answer`);
  // A trailers-only answer carries its status in the headers.
  const statusSource = trailers['grpc-status'] !== undefined ? trailers : headers;
  const status = statusSource['grpc-status'];
  if (status === undefined) {
    if (httpStatus !== 200) {
      return new GrpcCallError(
        codeForHttpStatus(httpStatus),
        `${path}: HTTP status ${httpStatus} instead of a gRPC answer`,
        'check that the remote address is a gatehouse or Keto gRPC port (read 4466, write 4467)',
      );
    }
    return new GrpcCallError(GrpcCode.INTERNAL, `${path}: the answer carries no grpc-status`);
  }
  const code = Number(status);
  if (code !== GrpcCode.OK) return new GrpcCallError(code, oneLine(decodeMessage(String(statusSource['grpc-message'] ?? ''))));
  return undefined;
}

const deadlineExceeded = (path: string, timeoutMs: number) =>
  new GrpcCallError(GrpcCode.DEADLINE_EXCEEDED, `${path} did not answer within ${timeoutMs} ms`, 'retry later, or raise the deadline with --timeout');

function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
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
