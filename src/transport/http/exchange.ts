import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants as h2, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { refusedStatus } from '../listener.js';

/**
 * One HTTP request and its answer, the same for HTTP/1.1 and HTTP/2 so the REST pipeline
 * is written once. `respond` answers at most once; later calls are ignored.
 */
export interface HttpExchange {
  readonly protocol: 'http/1.1' | 'h2';
  readonly method: string;
  /** The request target: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body as it arrives. */
  readonly body: Readable;
  /** True when the request says it has no body (HTTP/1.1 without Content-Length or Transfer-Encoding, or a zero length). */
  readonly bodyless: boolean;
  readonly responded: boolean;
  /** `listener` is called once if the client goes away before the answer is complete. */
  onGone(listener: () => void): void;
  /** True when the connection is TLS and the client's certificate chains to the listener's client CA. */
  readonly peerCertified: boolean;
  /** `headers` is handed over: the exchange adds the content length to it. */
  respond(status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void;
  /**
   * The connection (HTTP/1.1) or stream (HTTP/2) ends after the answer: the rest of the
   * request body is not read. Call before `respond`.
   */
  closeAfterResponse(): void;
  /**
   * The status a request whose body the client cut off counts as: the status the HTTP/1.1
   * parser already answered with (400 for a malformed chunk), else 499 (client closed request).
   */
  cutOffStatus(): number;
  /** Answers with a body written piece by piece (no length; chunked on HTTP/1.1), instead of `respond`. */
  respondStream(status: number, headers: OutgoingHttpHeaders): ResponseStream;
}

/** A response body being written while the request is served (Server-Sent Events). */
export interface ResponseStream {
  /** Queues `chunk`; false when the queue is over the transport's high-water mark. */
  write(chunk: string): boolean;
  /** Bytes written but not yet handed to the socket. */
  readonly buffered: number;
  /** Resolves once the queue has drained, or the client has gone. */
  drained(): Promise<void>;
  /** Aborted when the client goes away (or the answer ended). */
  readonly closed: AbortSignal;
  /** Ends the body (idempotent). */
  end(): void;
}

/** A ResponseStream over a node writable (ServerResponse, ServerHttp2Stream). */
function streamOver(out: NodeJS.WritableStream & { writableLength: number; destroyed: boolean; writableEnded: boolean; once(event: string, listener: () => void): unknown }): ResponseStream {
  const gone = new AbortController();
  out.once('close', () => gone.abort());
  return {
    write: (chunk) => (gone.signal.aborted || out.writableEnded ? false : out.write(chunk)),
    get buffered() {
      return out.writableLength;
    },
    drained: () =>
      gone.signal.aborted || out.writableLength === 0
        ? Promise.resolve()
        : new Promise((resolve) => {
            out.once('drain', () => resolve());
            gone.signal.addEventListener('abort', () => resolve(), { once: true });
          }),
    closed: gone.signal,
    end: () => {
      if (!out.writableEnded && !out.destroyed) out.end();
    },
  };
}

/** Calls `listener` when `out` closes before its answer was completely handed over. */
function whenGone(out: { writableFinished: boolean; once(event: 'close', listener: () => void): unknown }, listener: () => void): void {
  out.once('close', () => {
    if (!out.writableFinished) listener();
  });
}

/** nginx's "client closed request": nobody reads the answer. */
const CLIENT_CLOSED_REQUEST = 499;

export const http1Exchange = (req: IncomingMessage, res: ServerResponse): HttpExchange => new Http1Exchange(req, res);

export const h2Exchange = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): HttpExchange => new H2Exchange(stream, headers);

class Http1Exchange implements HttpExchange {
  readonly protocol = 'http/1.1';
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyless: boolean;
  #responded = false;
  #close = false;

  constructor(
    readonly body: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = body.method ?? 'GET';
    this.url = body.url ?? '/';
    this.headers = body.headers;
    this.bodyless = body.headers['transfer-encoding'] === undefined && (body.headers['content-length'] ?? '0') === '0';
  }

  get responded(): boolean {
    return this.#responded;
  }

  onGone(listener: () => void): void {
    whenGone(this.res, listener);
  }

  get peerCertified(): boolean {
    return (this.body.socket as Partial<TLSSocket>).authorized === true;
  }

  respond(status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void {
    const res = this.res;
    if (this.#responded || res.headersSent || res.destroyed) return;
    this.#responded = true;
    headers['content-length'] = byteLength(body);
    if (!this.#close) {
      res.writeHead(status, headers).end(body);
      return;
    }
    res.shouldKeepAlive = false;
    const socket = this.body.socket;
    if (!this.body.complete) lingerWhileSending(this.body, socket);
    res.writeHead(status, headers).end(body, () => socket.destroySoon());
  }

  closeAfterResponse(): void {
    this.#close = true;
  }

  cutOffStatus(): number {
    return refusedStatus(this.body.socket) ?? CLIENT_CLOSED_REQUEST;
  }

  respondStream(status: number, headers: OutgoingHttpHeaders): ResponseStream {
    const res = this.res;
    this.#responded = true;
    if (this.#close) res.shouldKeepAlive = false;
    res.writeHead(status, headers);
    res.flushHeaders();
    return streamOver(res);
  }
}

/** How long a connection closed in the middle of its request body goes on reading (and dropping) what the client still sends. */
const LINGER_MS = 5_000;

/**
 * Once its answer is out, node closes such a connection: a client still sending the body
 * would then meet a reset (unread bytes) before reading the answer. Instead the connection
 * sends its FIN and drops what still arrives until the client closes, for LINGER_MS at most.
 */
function lingerWhileSending(request: IncomingMessage, socket: Socket): void {
  request.resume();
  let lingering = false;
  socket.destroySoon = () => {
    if (lingering || socket.destroyed) return;
    lingering = true;
    socket.end();
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(linger));
  };
}

class H2Exchange implements HttpExchange {
  readonly protocol = 'h2';
  readonly method: string;
  readonly url: string;
  readonly bodyless = false;
  #responded = false;
  #close = false;

  constructor(
    readonly body: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
  ) {
    this.method = String(headers[':method'] ?? 'GET');
    this.url = String(headers[':path'] ?? '/');
  }

  get responded(): boolean {
    return this.#responded;
  }

  onGone(listener: () => void): void {
    whenGone(this.body, listener);
  }

  get peerCertified(): boolean {
    return (this.body.session?.socket as Partial<TLSSocket> | undefined)?.authorized === true;
  }

  respond(status: number, responseHeaders: OutgoingHttpHeaders, body?: string | Buffer): void {
    const stream = this.body;
    if (this.#responded || stream.destroyed || stream.headersSent) return;
    this.#responded = true;
    const length = byteLength(body);
    const h2Headers: OutgoingHttpHeaders = { ':status': status, 'content-length': length };
    for (const [name, value] of Object.entries(responseHeaders)) {
      if (!CONNECTION_SPECIFIC.has(name)) h2Headers[name] = value;
    }
    stream.respond(h2Headers, { endStream: length === 0 });
    const finish = () => {
      if (this.#close && !stream.destroyed) stream.close(h2.NGHTTP2_NO_ERROR);
    };
    if (length > 0) stream.end(body, finish);
    else finish();
  }

  closeAfterResponse(): void {
    this.#close = true;
  }

  cutOffStatus(): number {
    return CLIENT_CLOSED_REQUEST;
  }

  respondStream(status: number, responseHeaders: OutgoingHttpHeaders): ResponseStream {
    const stream = this.body;
    this.#responded = true;
    const h2Headers: OutgoingHttpHeaders = { ':status': status };
    for (const [name, value] of Object.entries(responseHeaders)) {
      if (!CONNECTION_SPECIFIC.has(name)) h2Headers[name] = value;
    }
    stream.respond(h2Headers);
    return streamOver(stream);
  }
}

const byteLength = (body: string | Buffer | undefined) =>
  body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;

/** HTTP/2 forbids connection-specific header fields (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
