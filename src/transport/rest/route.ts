import type { IncomingHttpHeaders } from 'node:http';
import type { CancelSignal } from '../../cancellation.js';
import type { ResponseStream } from '../http/exchange.js';

/**
 * One REST route. Handlers read a parsed request and return a response or throw a
 * GatehouseError; they never touch sockets, status texts or the error envelope.
 * Each route is served on the one port of its API, as Keto registers it (keto-surface.ts).
 */
export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, e.g. `/relation-tuples/check`. */
  readonly path: string;
  handle(req: RestRequest): RestResponse | Promise<RestResponse>;
}

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body (already bounded by the body size limit). */
  readonly body: Buffer;
  /** The body parsed as JSON; throws invalid_argument naming the position when malformed. */
  json(): unknown;
  /** Aborted, with the error to stop with, when the client goes away or the request's deadline passes. */
  readonly signal: CancelSignal;
}

export interface RestResponse {
  readonly status: number;
  /** Serialised as JSON unless it is a string (sent as text/plain) or undefined (no body). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A body written while the request is served (Server-Sent Events) instead of `body`: the
   * answer lasts until the promise settles, or the client goes away (`out.closed`).
   */
  readonly stream?: (out: ResponseStream) => Promise<void>;
}
