import type { OutgoingHttpHeaders } from 'node:http';
import { Cancellation } from '../../cancellation.js';
import type { CorsConfig } from '../../config/types.js';
import { cancelled, deadlineExceeded, unavailable } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { methodLabel, type Metrics } from '../../observability/metrics.js';
import { NO_TRACING, type RequestSpan, type Tracing } from '../../observability/tracing.js';
import { envelope, toHttpError, type ErrorEnvelope } from '../errors.js';
import { BodyCutOff, drainable, parseJson, readBody } from '../http/body.js';
import { corsDecision } from '../http/cors.js';
import type { HttpExchange, ResponseStream } from '../http/exchange.js';
import type { InFlight } from '../in-flight.js';
import { chosenRequestId } from '../request-id.js';
import type { RestResponse, RestRoute } from './route.js';
import type { RestRouter } from './router.js';

export interface RestSettings {
  bodyLimit: number;
  cors: CorsConfig;
  /** True once shutdown began: HTTP/1.1 answers carry `Connection: close`. */
  draining: boolean;
  /** The deadline of a request whose answer is one body, in milliseconds; 0 or unset: none. */
  requestTimeoutMs?: number;
}

export interface RestPipelineDeps {
  router: RestRouter;
  logger: Logger;
  metrics: Metrics;
  inFlight: InFlight;
  settings: () => RestSettings;
  /** The error a request to this route is refused with when it lacks the listener's credentials (auth.ts). */
  refusal?: (exchange: HttpExchange, route: RestRoute) => Error | undefined;
  tracing?: Tracing;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Serves one REST request end to end: CORS, routing, body limit, the handler, errors, log line, metrics. */
export function restPipeline(deps: RestPipelineDeps): (exchange: HttpExchange) => Promise<void> | void {
  return (exchange) => new RestCall(deps, exchange).serve();
}

const NO_BODY = Buffer.alloc(0);

/** One request being served (one object per request, its steps as methods). */
class RestCall {
  readonly #started = process.hrtime.bigint();
  readonly #settings: RestSettings;
  readonly #queryStart: number;
  readonly #path: string;
  #requestId: string | undefined;
  #routeLabel = 'unmatched';
  #status = 0;
  #corsHeaders: OutgoingHttpHeaders | undefined;
  #streaming: ResponseStream | undefined;
  #done: () => void;
  /** Stops the route's work: aborted when the client goes away or the deadline passes. */
  readonly #cancel = new Cancellation();
  #deadline: NodeJS.Timeout | undefined;
  #settled = false;
  readonly #span: RequestSpan;

  constructor(
    private readonly deps: RestPipelineDeps,
    private readonly exchange: HttpExchange,
  ) {
    this.#settings = deps.settings();
    this.#queryStart = exchange.url.indexOf('?');
    this.#path = this.#queryStart < 0 ? exchange.url : exchange.url.slice(0, this.#queryStart);
    this.#done = deps.inFlight.add(this);
    this.#span = (deps.tracing ?? NO_TRACING).startRequest(exchange.headers);
  }

  serve(): Promise<void> | void {
    this.exchange.onGone(() => this.#cancel.abort(cancelled()));
    const timeoutMs = this.#settings.requestTimeoutMs ?? 0;
    if (timeoutMs > 0) this.#deadline = setTimeout(() => this.#expire(timeoutMs), timeoutMs);
    return this.#span.run(() => this.#serve());
  }

  #serve(): Promise<void> | void {
    let answer: RestResponse | Promise<RestResponse> | undefined;
    try {
      answer = this.#dispatch();
    } catch (err) {
      return this.#settle(undefined, err);
    }
    if (answer instanceof Promise) {
      return answer.then(
        (ok) => this.#settle(ok),
        (err: unknown) => this.#settle(undefined, err),
      );
    }
    if (answer === undefined) return this.#finish();
    this.#settle(answer);
  }

  /** The deadline passed before the answer: the route's work is stopped and 504 is answered now. */
  #expire(timeoutMs: number): void {
    const err = deadlineExceeded(`The request did not complete within its deadline of ${timeoutMs} ms.`);
    this.#cancel.abort(err);
    this.exchange.closeAfterResponse();
    this.#settle(undefined, err);
  }

  /** Shutdown's deadline passed before the answer (a streamed answer just ends). */
  answerUnavailable(): void {
    if (this.#streaming !== undefined) return this.#streaming.end();
    this.exchange.closeAfterResponse();
    this.#sendError(unavailable('The server is shutting down and could not finish this request in time.'));
  }

  /** Answers CORS preflights and routing failures itself; otherwise gives the route's answer. */
  #dispatch(): RestResponse | Promise<RestResponse> | undefined {
    const exchange = this.exchange;
    const path = this.#path;
    const cors = corsDecision(this.#settings.cors, exchange.method, exchange.headers);
    if (cors.kind === 'preflight') return void this.#send({ status: 204 }, cors.headers);
    const corsHeaders = cors.kind === 'actual' ? cors.headers : undefined;
    this.#corsHeaders = corsHeaders;
    const match = this.deps.router.match(exchange.method, path);
    if (match.kind === 'not_found') return void this.#sendEnvelope(404, 'The requested resource could not be found', corsHeaders);
    if (match.kind === 'method_not_allowed') {
      return void this.#sendEnvelope(405, `The method ${exchange.method} is not allowed for ${path}`, {
        ...corsHeaders,
        allow: match.allowed.join(', '),
      });
    }
    if (match.kind === 'options') return void this.#send({ status: 200 }, { ...corsHeaders, allow: match.allowed.join(', ') });
    const route = match.route;
    this.#routeLabel = route.path;
    const refusal = this.deps.refusal?.(exchange, route);
    if (refusal !== undefined) return void this.#sendError(refusal, { ...corsHeaders, 'www-authenticate': 'Bearer' });
    const handle = (body: Buffer) =>
      route.handle({
        method: exchange.method,
        path,
        query: new URLSearchParams(this.#queryStart < 0 ? '' : exchange.url.slice(this.#queryStart + 1)),
        headers: exchange.headers,
        body,
        json: () => parseJson(body),
        signal: this.#cancel,
      });
    if (exchange.bodyless) return handle(NO_BODY);
    return readBody(exchange.body, exchange.headers, this.#settings.bodyLimit).then(handle, (err: unknown) => {
      if (!drainable(exchange.protocol, exchange.headers)) exchange.closeAfterResponse();
      throw err;
    });
  }

  /** Sends the route's answer, or the error in its place, then records the request. */
  #settle(answer: RestResponse | undefined, failure?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#deadline);
    if (answer?.stream !== undefined && !this.exchange.responded) return this.#stream(answer, answer.stream);
    try {
      if (answer !== undefined) this.#send(answer, this.#corsHeaders);
      else this.#sendError(failure);
    } catch (err) {
      this.#sendError(err);
    } finally {
      this.#finish();
    }
  }

  /** Sends the status and headers, then lets the route write the body; the request is recorded when it ends. */
  #stream(answer: RestResponse, write: (out: ResponseStream) => Promise<void>): void {
    const exchange = this.exchange;
    this.#status = answer.status;
    if (this.deps.settings().draining && exchange.protocol === 'http/1.1') exchange.closeAfterResponse();
    const out = exchange.respondStream(answer.status, { ...this.#corsHeaders, ...answer.headers });
    this.#streaming = out;
    void write(out)
      .catch((err: unknown) => this.deps.logger.error({ err, request_id: this.#requestIdOf(), path: this.#path }, 'streamed answer failed'))
      .finally(() => {
        out.end();
        this.#finish();
      });
  }

  #send(answer: RestResponse, extra?: OutgoingHttpHeaders): void {
    const exchange = this.exchange;
    if (exchange.responded) return;
    this.#status = answer.status;
    let body: string | undefined;
    const headers: OutgoingHttpHeaders = extra === undefined && answer.headers === undefined ? {} : { ...extra, ...answer.headers };
    if (typeof answer.body === 'string') {
      body = answer.body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (answer.body !== undefined) {
      body = JSON.stringify(answer.body);
      headers['content-type'] ??= JSON_TYPE;
    }
    if (this.deps.settings().draining && exchange.protocol === 'http/1.1') exchange.closeAfterResponse();
    exchange.respond(answer.status, headers, body);
  }

  #sendError(err: unknown, extra?: OutgoingHttpHeaders): void {
    if (err instanceof BodyCutOff) {
      // Nothing to send: the client is gone, or the parser already answered the malformed request.
      this.#status = this.exchange.cutOffStatus();
      this.deps.logger.debug({ request_id: this.#requestIdOf(), path: this.#path, status: this.#status }, err.message);
      return;
    }
    const answer = toHttpError(err, this.#requestIdOf());
    if (answer.unexpected) this.deps.logger.error({ err, request_id: this.#requestIdOf(), path: this.#path }, 'request failed');
    this.#send({ status: answer.status, body: answer.body }, extra);
  }

  #sendEnvelope(code: number, message: string, extra?: OutgoingHttpHeaders): void {
    this.#send({ status: code, body: envelope(code, message, undefined, this.#requestIdOf()) satisfies ErrorEnvelope }, extra);
  }

  #requestIdOf(): string {
    return (this.#requestId ??= chosenRequestId(this.exchange.headers['x-request-id']));
  }

  #finish(): void {
    clearTimeout(this.#deadline);
    this.#done();
    const seconds = Number(process.hrtime.bigint() - this.#started) / 1e9;
    const { deps, exchange } = this;
    deps.metrics.observeHttp(this.#routeLabel, exchange.method, this.#status, seconds);
    const method = methodLabel(exchange.method);
    this.#span.end(
      `${method} ${this.#routeLabel}`,
      { 'http.request.method': method, 'http.route': this.#routeLabel, 'http.response.status_code': this.#status, 'url.path': this.#path },
      this.#status >= 500,
    );
    if (deps.logger.isLevelEnabled('info')) {
      deps.logger.info(
        {
          request_id: this.#requestIdOf(),
          protocol: exchange.protocol,
          method: exchange.method,
          path: this.#path,
          status: this.#status,
          latency_ms: Math.round(seconds * 1e6) / 1e3,
        },
        'request handled',
      );
    }
  }
}
