import http, { type IncomingHttpHeaders } from 'node:http';
import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import { nextTurn } from '../engine/slices.js';
import type { Logger } from '../observability/logger.js';
import { envelope } from './errors.js';
import { h2Exchange, http1Exchange, type HttpExchange } from './http/exchange.js';

const kib = (n: number) => n * 1024;

/** Headers larger than this are refused (431). */
export const MAX_HEADER_SIZE = kib(64);
/** A client must send its request headers within this time (slowloris). */
export const HEADERS_TIMEOUT_MS = 5_000;
/** A client must send its whole request within this time. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * Draining: the listening socket stays open until no connection was accepted for this long
 * (connections the kernel accepted before the signal are still queued on it; closing it
 * would reset them) …
 */
export const DRAIN_QUIET_MS = 100;
/** … or for this long at most, while clients keep connecting. */
export const DRAIN_MAX_MS = 1_000;
/**
 * An HTTP/2 connection with no open stream is closed (GOAWAY) after this long, as an idle
 * HTTP/1.1 keep-alive connection is; frames without a stream (SETTINGS, PING) do not count, so
 * this also bounds a preface or request headers that never complete.
 */
export const H2_IDLE_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS;
/** After its GOAWAY, how long an idle HTTP/2 connection has to close before it is destroyed. */
const H2_CLOSE_GRACE_MS = 1_000;
/** Streams one HTTP/2 connection may have open at once; the next is refused (REFUSED_STREAM). Go's default is 250, nginx's 128. */
export const MAX_CONCURRENT_STREAMS = 100;
/** Connections one port holds at once, HTTP/1.1 and HTTP/2 alike; the next is closed on arrival. */
export const MAX_CONNECTIONS = 10_000;

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface ListenerOptions {
  /** For log lines: read, write, metrics or opl. */
  name: string;
  host: string;
  port: number;
  /** With `clientCa`, clients are asked for a certificate; whether theirs chains to it is for each request to judge (auth.ts). */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  onHttp: (exchange: HttpExchange) => void;
  /** gRPC calls, when this port serves gRPC. */
  grpc?: {
    accepts: (headers: IncomingHttpHeaders) => boolean;
    onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
  };
  logger: Logger;
  /** Default MAX_CONNECTIONS. */
  maxConnections?: number;
}

/**
 * One port: HTTP/1.1 and HTTP/2 on the same socket, told apart by the HTTP/2 connection
 * preface in cleartext (h2c with prior knowledge) or by ALPN under TLS.
 */
export class Listener {
  readonly #http1: http.Server;
  readonly #h2: http2.Http2Server;
  readonly #front: net.Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #allClosed: (() => void)[] = [];
  /** performance.now() when the last connection was accepted. */
  #lastAccepted = -Infinity;
  #frontClosed = false;

  constructor(private readonly options: ListenerOptions) {
    this.#http1 = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_SIZE,
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: 1_000,
      },
      (req, res) => options.onHttp(http1Exchange(req, res)),
    );
    this.#http1.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => refuseBadRequest(err, socket));
    // This server never binds a port itself; 'listening' starts node's tracking of its
    // connections, which enforces the header and request timeouts and closes idle keep-alives.
    this.#http1.emit('listening');

    this.#h2 = http2.createServer({
      maxSessionMemory: 32,
      settings: { maxHeaderListSize: MAX_HEADER_SIZE, maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
    });
    this.#h2.on('session', (session: Http2Session) => {
      closeWhenIdle(session);
      this.#sessions.add(session);
      session.on('close', () => this.#sessions.delete(session));
      session.on('error', (err) => options.logger.debug({ err, listener: options.name }, 'HTTP/2 session error'));
    });
    this.#h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      stream.on('error', () => {});
      if (options.grpc?.accepts(headers)) options.grpc.onStream(stream, headers);
      else options.onHttp(h2Exchange(stream, headers));
    });

    if (options.tls) {
      this.#front = tls.createServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ALPNProtocols: ['h2', 'http/1.1'],
          handshakeTimeout: HEADERS_TIMEOUT_MS,
          // Without a certificate the handshake still succeeds, so that health probes are answered and others get 401.
          ...(options.tls.clientCa !== undefined && { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false }),
        },
        (socket) => this.#dispatch(socket, socket.alpnProtocol === 'h2'),
      );
      this.#front.on('connection', (socket: Socket) => this.#track(socket));
      this.#front.on('tlsClientError', () => {});
      this.#front.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    } else {
      this.#front = net.createServer((socket) => {
        this.#track(socket);
        sniffPreface(socket, (isH2) => this.#dispatch(socket, isH2));
      });
      this.#front.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    }
  }

  #track(socket: Socket): void {
    // node's http.Server turns Nagle's algorithm off on the sockets it accepts; this front accepts them instead.
    socket.setNoDelay(true);
    this.#lastAccepted = performance.now();
    this.#sockets.add(socket);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (this.#sockets.size === 0) for (const wake of this.#allClosed.splice(0)) wake();
    });
    socket.on('error', () => {});
  }

  /** Resolves once every connection of this port has closed (after `drain`, as answers complete). */
  whenClosed(): Promise<void> {
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#allClosed.push(resolve));
  }

  #dispatch(socket: Socket, isH2: boolean): void {
    if (isH2) {
      this.#h2.emit('connection', socket);
    } else {
      this.#http1.emit('connection', socket);
      socket.resume();
    }
  }

  get address(): AddressInfo {
    return this.#front.address() as AddressInfo;
  }

  get secure(): boolean {
    return this.options.tls !== undefined;
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#front.once('error', reject);
      this.#front.listen({ port: this.options.port, host: this.options.host === '' ? undefined : this.options.host }, () => {
        this.#front.off('error', reject);
        resolve(this.address);
      });
    });
  }

  /**
   * Stops accepting connections without resetting any the kernel already accepted: the
   * listening socket keeps accepting (answers then carry `Connection: close`) until no
   * connection arrived for DRAIN_QUIET_MS, or `maxMs` passed, and closes then. After that,
   * idle HTTP/1.1 keep-alive connections close, busy ones close after their current answer,
   * HTTP/2 sessions get GOAWAY and finish their streams. Resolves once the socket is closed.
   */
  async drain(maxMs: number = DRAIN_MAX_MS): Promise<void> {
    const deadline = performance.now() + maxMs;
    await new Promise<void>((resolve) => {
      const wait = (): void => {
        const now = performance.now();
        const quietIn = this.#lastAccepted + DRAIN_QUIET_MS - now;
        if (this.#frontClosed) return resolve();
        if (quietIn > 0 && now < deadline) return void setTimeout(wait, Math.min(quietIn, deadline - now));
        // Quiet so far (or out of time): one more pass of the event loop's poll phase, so that
        // connections queued while timers ran are accepted before the socket closes.
        setImmediate(() => (performance.now() < deadline && performance.now() - this.#lastAccepted < DRAIN_QUIET_MS ? wait() : resolve()));
      };
      wait();
    });
    this.#closeFront();
    // A request a client sent on a connection accepted last is read in the next poll phase:
    // until then its connection looks idle, and closing it would reset the request.
    await nextTurn();
    await nextTurn();
    this.#http1.closeIdleConnections();
    for (const session of this.#sessions) session.close();
  }

  #closeFront(): void {
    if (this.#frontClosed) return;
    this.#frontClosed = true;
    this.#front.close(() => undefined);
  }

  /** Closes every connection that is still open. */
  destroy(): void {
    this.#closeFront();
    this.#http1.close();
    this.#http1.closeAllConnections();
    for (const session of this.#sessions) session.destroy();
    for (const socket of this.#sockets) socket.destroy();
  }
}

/**
 * Reads until the bytes either diverge from the HTTP/2 preface (HTTP/1.1) or contain all of it
 * (h2c), puts them back and hands the socket over.
 */
export function sniffPreface(socket: Socket, decide: (isH2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  // A deadline for the whole preface, not for a pause between its bytes: one byte a second is no preface.
  const deadline = setTimeout(() => socket.destroy(), HEADERS_TIMEOUT_MS);
  socket.once('close', () => clearTimeout(deadline));
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const isPrefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (isPrefix && seen.length < H2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    clearTimeout(deadline);
    socket.unshift(seen);
    decide(isPrefix);
  };
  socket.on('data', onData);
}

/**
 * Closes an HTTP/2 session once it has had no open stream for H2_IDLE_TIMEOUT_MS: GOAWAY, then
 * destroyed if the client does not close within H2_CLOSE_GRACE_MS.
 */
function closeWhenIdle(session: Http2Session): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      session.close();
      setTimeout(() => session.destroy(), H2_CLOSE_GRACE_MS).unref();
    }, H2_IDLE_TIMEOUT_MS).unref();
  };
  session.on('stream', (stream: ServerHttp2Stream) => {
    open++;
    clearTimeout(timer);
    stream.once('close', () => {
      if (--open === 0 && !session.closed) arm();
    });
  });
  session.once('close', () => clearTimeout(timer));
  arm();
}

/** Connections answered by refuseBadRequest, with the status sent: what they still send is dropped until they close. */
const refused = new WeakMap<Socket, number>();

/**
 * What a request refused by refuseBadRequest counts as: the status it was answered with, or
 * 499 when the client closed the connection in the middle of it (nobody reads that answer).
 */
export function refusedStatus(socket: Socket): number | undefined {
  return refused.get(socket);
}

/** nginx's "client closed request". */
const CLIENT_CLOSED_REQUEST = 499;

/** How long a refused connection may go on sending after its answer. */
const LINGER_MS = 5000;

/**
 * Answers what node's HTTP/1.1 parser refuses (oversized headers, timeouts, garbage) in the
 * envelope, then ends the connection. The parser refuses again each chunk a client still
 * sending its request writes: those are dropped rather than answered with a reset, so the
 * client reads the answer, for LINGER_MS at most.
 */
function refuseBadRequest(err: NodeJS.ErrnoException, socket: Socket): void {
  if (refused.has(socket)) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  refused.set(socket, err.code === 'HPE_INVALID_EOF_STATE' ? CLIENT_CLOSED_REQUEST : status);
  const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(linger));
  const message =
    status === 431
      ? `The request headers exceed the limit of ${MAX_HEADER_SIZE} bytes`
      : status === 408
        ? 'The request was not received in time'
        : 'The request could not be parsed';
  const body = JSON.stringify(envelope(status, message));
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
