import type { IncomingHttpHeaders } from 'node:http';
import { constants as h2, type ServerHttp2Stream } from 'node:http2';
import type protobuf from 'protobufjs';
import { Cancellation } from '../../cancellation.js';
import { cancelled as callCancelled, deadlineExceeded, unavailable } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { NO_TRACING, type Tracing } from '../../observability/tracing.js';
import { GrpcCode } from '../../grpc-code.js';
import { toGrpcError } from '../errors.js';
import type { InFlight } from '../in-flight.js';
import { chosenRequestId } from '../request-id.js';
import { FrameDecoder, encodeFrame } from './frames.js';
import { MessageQueue } from './message-queue.js';
import type { GrpcUnaryMethod } from './method.js';
import { TO_OBJECT, messageType } from './schema.js';
import type { GrpcStreamingMethod } from './streaming.js';

export interface GrpcServerDeps {
  unary: readonly GrpcUnaryMethod[];
  streaming: readonly GrpcStreamingMethod[];
  logger: Logger;
  metrics: Metrics;
  inFlight: InFlight;
  /** Largest accepted request message, in bytes. */
  maxMessageSize: () => number;
  /** Aborted when shutdown begins. */
  stopping: AbortSignal;
  /** The server's deadline of a call in milliseconds (0: none); a shorter `grpc-timeout` wins. */
  requestTimeoutMs?: () => number;
  /** The error a call of this method is refused with when it lacks the listener's credentials (auth.ts). */
  refusal?: (path: string, headers: IncomingHttpHeaders, stream: ServerHttp2Stream) => Error | undefined;
  tracing?: Tracing;
}

/** Status codes that mark a server span as failed (OpenTelemetry's conventions for gRPC servers). */
const SERVER_ERRORS: ReadonlySet<GrpcCode> = new Set([
  GrpcCode.UNKNOWN,
  GrpcCode.DEADLINE_EXCEEDED,
  GrpcCode.UNIMPLEMENTED,
  GrpcCode.INTERNAL,
  GrpcCode.UNAVAILABLE,
  GrpcCode.DATA_LOSS,
]);

type Entry =
  | { kind: 'unary'; method: GrpcUnaryMethod; request: protobuf.Type; response: protobuf.Type }
  | { kind: 'streaming'; method: GrpcStreamingMethod; request: protobuf.Type; response: protobuf.Type };

/** A status that ends a call, raised by the transport itself (not by a handler). */
class CallStatus extends Error {
  constructor(
    readonly code: GrpcCode,
    message: string,
  ) {
    super(message);
  }
}

export function isGrpcRequest(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && (type === 'application/grpc' || type.startsWith('application/grpc+'));
}

/** Serves gRPC calls on HTTP/2 streams of the shared server: unary feature methods and streaming protocol services. */
export interface GrpcHandler {
  (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void;
  /** The method paths this handler serves; any other path is answered UNIMPLEMENTED. */
  readonly methods: readonly string[];
}

export function grpcHandler(deps: GrpcServerDeps): GrpcHandler {
  const table = new Map<string, Entry>();
  for (const method of deps.unary) {
    table.set(method.path, {
      kind: 'unary',
      method,
      request: messageType(method.requestType),
      response: messageType(method.responseType),
    });
  }
  for (const method of deps.streaming) {
    table.set(method.path, {
      kind: 'streaming',
      method,
      request: messageType(method.requestType),
      response: messageType(method.responseType),
    });
  }

  const handle = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
    const started = process.hrtime.bigint();
    const path = String(headers[':path'] ?? '');
    const entry = table.get(path);
    const reply = new Reply(stream);
    const span = (deps.tracing ?? NO_TRACING).startRequest(headers);
    let deadline: NodeJS.Timeout | undefined;
    /** Stops a unary handler's work once the call has ended otherwise than by its answer. */
    const ended = new Cancellation();
    const finish = (status: GrpcCode, message: string) => {
      if (reply.finished) return;
      reply.finish(status, message);
      if (status !== GrpcCode.OK) ended.abort(status === GrpcCode.DEADLINE_EXCEEDED ? deadlineExceeded(message) : callCancelled());
      clearTimeout(deadline);
      done();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const label = entry === undefined ? 'unmatched' : path;
      deps.metrics.observeGrpc(label, status, seconds);
      span.end(label.replace(/^\//, ''), { 'rpc.system': 'grpc', 'rpc.method': label, 'rpc.grpc.status_code': status }, SERVER_ERRORS.has(status));
      if (deps.logger.isLevelEnabled('info')) {
        deps.logger.info(
          { request_id: chosenRequestId(headers['x-request-id']), protocol: 'grpc', method: path, code: status, latency_ms: Math.round(seconds * 1e6) / 1e3 },
          'request handled',
        );
      }
    };
    const fail = (err: unknown) => {
      if (err instanceof CallStatus) return finish(err.code, err.message);
      const answer = toGrpcError(err);
      if (answer.unexpected) deps.logger.error({ err, method: path }, 'request failed');
      finish(answer.code, answer.message);
    };
    const done = deps.inFlight.add({
      answerUnavailable: () => fail(unavailable('The server is shutting down and could not finish this call in time.')),
    });
    stream.on('error', () => finish(GrpcCode.CANCELLED, 'stream error'));
    stream.on('close', () => {
      if (!reply.finished) finish(GrpcCode.CANCELLED, 'the client cancelled the call');
    });

    const serverMs = deps.requestTimeoutMs?.() ?? 0;
    const clientMs = grpcTimeoutMs(headers['grpc-timeout']);
    const timeoutMs = serverMs > 0 && (clientMs === undefined || serverMs < clientMs) ? serverMs : clientMs;
    if (timeoutMs !== undefined) {
      deadline = setTimeout(() => finish(GrpcCode.DEADLINE_EXCEEDED, 'the deadline was exceeded'), timeoutMs);
    }
    if (entry === undefined) return fail(new CallStatus(GrpcCode.UNIMPLEMENTED, `unknown method ${path}`));
    const refusal = deps.refusal?.(path, headers, stream);
    if (refusal !== undefined) return fail(refusal);
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      reply.extraHeaders = { 'grpc-accept-encoding': 'identity' };
      return fail(new CallStatus(GrpcCode.UNIMPLEMENTED, `grpc-encoding "${String(encoding)}" is not supported`));
    }

    const max = deps.maxMessageSize();
    const decoder = new FrameDecoder(max);
    const frameProblem = (): CallStatus | undefined => {
      const problem = decoder.problem;
      if (problem === undefined) return undefined;
      return problem.kind === 'compressed'
        ? new CallStatus(GrpcCode.INTERNAL, 'a compressed message was sent without a grpc-encoding')
        : new CallStatus(GrpcCode.RESOURCE_EXHAUSTED, `received message larger than max (${problem.size} vs. ${max})`);
    };
    const decode = (bytes: Buffer): unknown => {
      try {
        return entry.request.toObject(entry.request.decode(bytes), TO_OBJECT);
      } catch {
        // The client's bytes are at fault, not the server: a bad request, never INTERNAL.
        throw new CallStatus(GrpcCode.INVALID_ARGUMENT, `could not decode the request as ${entry.method.requestType}`);
      }
    };
    const encode = (message: object): Buffer =>
      encodeFrame(entry.response.encode(entry.response.fromObject(message)).finish());

    if (entry.kind === 'unary') {
      let request: Buffer | undefined;
      let count = 0;
      stream.on('data', (chunk: Buffer) => {
        for (const message of decoder.push(chunk)) {
          request = message;
          count++;
        }
        const problem = frameProblem();
        if (problem !== undefined) fail(problem);
      });
      stream.on('end', () => {
        if (reply.finished) return;
        if (count !== 1 || decoder.partial || request === undefined) {
          return fail(new CallStatus(GrpcCode.INTERNAL, `expected exactly one request message, got ${count}`));
        }
        const input = request;
        const respond = (result: object) => {
          if (reply.finished) return;
          reply.send(encode(result));
          finish(GrpcCode.OK, '');
        };
        try {
          const result = span.run(() =>
            entry.method.handle(decode(input), {
              setHeader: (name, value) => void (reply.extraHeaders[name.toLowerCase()] = value),
              signal: ended,
            }),
          );
          if (result instanceof Promise) result.then(respond).catch(fail);
          else respond(result);
        } catch (err) {
          fail(err);
        }
      });
      return;
    }

    const requests = new MessageQueue<unknown>();
    const cancelled = new AbortController();
    stream.on('close', () => cancelled.abort());
    stream.on('data', (chunk: Buffer) => {
      try {
        for (const message of decoder.push(chunk)) requests.push(decode(message));
      } catch (err) {
        requests.fail(err);
      }
      const problem = frameProblem();
      if (problem !== undefined) requests.fail(problem);
    });
    stream.on('end', () => requests.end());
    const call = {
      signal: AbortSignal.any([cancelled.signal, deps.stopping]),
      get stopping() {
        return deps.stopping.aborted;
      },
      send: (message: object) => {
        if (!reply.finished) reply.send(encode(message));
      },
      get buffered() {
        return stream.writableLength;
      },
      drained: () =>
        reply.finished || stream.destroyed || stream.writableLength === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              stream.once('drain', resolve);
              stream.once('close', resolve);
            }),
    };
    span.run(() => entry.method.serve(requests, call)).then(() => finish(GrpcCode.OK, ''), fail);
  };
  return Object.assign(handle, { methods: [...table.keys()] });
}

/** The response side of one call: headers once, messages, then trailers (or a trailers-only answer). */
class Reply {
  finished = false;
  extraHeaders: Record<string, string> = {};
  #trailers: Record<string, string> | undefined;
  /** Run once the trailers are handed to HTTP/2. */
  #afterTrailers: (() => void) | undefined;

  constructor(private readonly stream: ServerHttp2Stream) {}

  send(frame: Buffer): void {
    if (this.stream.destroyed) return;
    if (!this.stream.headersSent) {
      this.stream.respond(
        { ':status': 200, 'content-type': 'application/grpc+proto', ...this.extraHeaders },
        { waitForTrailers: true },
      );
      this.stream.once('wantTrailers', () => {
        this.stream.sendTrailers(this.#trailers ?? { 'grpc-status': '0' });
        this.#afterTrailers?.();
      });
    }
    this.stream.write(frame);
  }

  finish(code: GrpcCode, message: string): void {
    this.finished = true;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const status: Record<string, string> = { 'grpc-status': String(code) };
    if (message !== '') status['grpc-message'] = encodeGrpcMessage(message);
    if (stream.headersSent) {
      this.#trailers = status;
      stream.end();
    } else {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc+proto', ...this.extraHeaders, ...status },
        { endStream: true },
      );
    }
    if (!stream.readableEnded) {
      // The client may still be sending; the answer is complete, so stop the stream cleanly
      // (RST_STREAM NO_ERROR) once the status is out. Trailers are handed over while HTTP/2
      // writes its frames; a reset asked for in that same turn goes out first and drops them.
      const stop = () => stream.close(h2.NGHTTP2_NO_ERROR);
      if (stream.headersSent && this.#trailers !== undefined) this.#afterTrailers = () => setImmediate(stop);
      else stream.once('finish', stop);
      stream.resume();
    }
  }
}

const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** The `grpc-timeout` header (`100m`, `5S` …) in milliseconds; undefined when absent or malformed. */
export function grpcTimeoutMs(header: string | string[] | undefined): number | undefined {
  const match = typeof header === 'string' ? /^(\d{1,8})([HMSmun])$/.exec(header) : null;
  if (match === null) return undefined;
  return Math.min(Number(match[1]) * TIMEOUT_UNIT_MS[match[2]!]!, 2_147_483_647);
}

/**
 * Longest grpc-message sent, encoded. Messages may quote the request (a 20 000-character
 * object name), and trailers over the client's header list limit (8 KiB in grpc-js) make
 * the whole call fail with RST_STREAM instead of carrying the status.
 */
export const MAX_GRPC_MESSAGE_CHARS = 4096;

/**
 * grpc-message is percent-encoded: everything outside printable ASCII, and "%" itself.
 * A message longer than MAX_GRPC_MESSAGE_CHARS once encoded is cut at a character and ends in "...".
 */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const char of message) {
    let encoded = '';
    for (const byte of Buffer.from(char, 'utf8')) {
      encoded += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    if (out.length + encoded.length > MAX_GRPC_MESSAGE_CHARS - 3) return `${out}...`;
    out += encoded;
  }
  return out;
}

