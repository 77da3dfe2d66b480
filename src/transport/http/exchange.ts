import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants as h2, type ServerHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';

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
  /** `headers` is handed over: the exchange adds the content length to it. */
  respond(status: number, headers: OutgoingHttpHeaders, body?: string | Buffer): void;
  /**
   * The connection (HTTP/1.1) or stream (HTTP/2) ends after the answer: the rest of the
   * request body is not read. Call before `respond`.
   */
  closeAfterResponse(): void;
}

export function http1Exchange(req: IncomingMessage, res: ServerResponse): HttpExchange {
  let responded = false;
  let close = false;
  return {
    protocol: 'http/1.1',
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body: req,
    bodyless: req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0',
    get responded() {
      return responded;
    },
    respond(status, headers, body) {
      if (responded || res.headersSent || res.destroyed) return;
      responded = true;
      headers['content-length'] = byteLength(body);
      if (!close) {
        res.writeHead(status, headers).end(body);
        return;
      }
      res.shouldKeepAlive = false;
      res.writeHead(status, headers).end(body, () => req.socket.destroySoon());
    },
    closeAfterResponse() {
      close = true;
    },
  };
}

export function h2Exchange(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): HttpExchange {
  let responded = false;
  let close = false;
  return {
    protocol: 'h2',
    method: String(headers[':method'] ?? 'GET'),
    url: String(headers[':path'] ?? '/'),
    headers,
    body: stream,
    bodyless: false,
    get responded() {
      return responded;
    },
    respond(status, responseHeaders, body) {
      if (responded || stream.destroyed || stream.headersSent) return;
      responded = true;
      const length = byteLength(body);
      const h2Headers: OutgoingHttpHeaders = { ':status': status, 'content-length': length };
      for (const [name, value] of Object.entries(responseHeaders)) {
        if (!CONNECTION_SPECIFIC.has(name)) h2Headers[name] = value;
      }
      stream.respond(h2Headers, { endStream: length === 0 });
      const finish = () => {
        if (close && !stream.destroyed) stream.close(h2.NGHTTP2_NO_ERROR);
      };
      if (length > 0) stream.end(body, finish);
      else finish();
    },
    closeAfterResponse() {
      close = true;
    },
  };
}

const byteLength = (body: string | Buffer | undefined) =>
  body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;

/** HTTP/2 forbids connection-specific header fields (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
