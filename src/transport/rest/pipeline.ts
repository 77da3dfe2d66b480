import type { OutgoingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../../config/types.js';
import { unavailable } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { envelope, toHttpError, type ErrorEnvelope } from '../errors.js';
import { parseJson, readBody } from '../http/body.js';
import { corsDecision } from '../http/cors.js';
import type { HttpExchange } from '../http/exchange.js';
import type { InFlight } from '../in-flight.js';
import { chosenRequestId } from '../request-id.js';
import type { RestResponse } from './route.js';
import type { RestRouter } from './router.js';

export interface RestSettings {
  bodyLimit: number;
  cors: CorsConfig;
  /** True once shutdown began: HTTP/1.1 answers carry `Connection: close`. */
  draining: boolean;
}

export interface RestPipelineDeps {
  router: RestRouter;
  logger: Logger;
  metrics: Metrics;
  inFlight: InFlight;
  settings: () => RestSettings;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Serves one REST request end to end: CORS, routing, body limit, the handler, errors, log line, metrics. */
export function restPipeline(deps: RestPipelineDeps): (exchange: HttpExchange) => Promise<void> | void {
  return (exchange) => {
    const started = process.hrtime.bigint();
    const settings = deps.settings();
    let requestId: string | undefined;
    const requestIdOf = () => (requestId ??= chosenRequestId(exchange.headers['x-request-id']));
    const queryStart = exchange.url.indexOf('?');
    const path = queryStart < 0 ? exchange.url : exchange.url.slice(0, queryStart);
    let routeLabel = 'unmatched';
    let status = 0;
    let corsHeaders: OutgoingHttpHeaders | undefined;

    const send = (answer: RestResponse, extra?: OutgoingHttpHeaders) => {
      if (exchange.responded) return;
      status = answer.status;
      let body: string | undefined;
      const headers: OutgoingHttpHeaders =
        extra === undefined && answer.headers === undefined ? {} : { ...extra, ...answer.headers };
      if (typeof answer.body === 'string') {
        body = answer.body;
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else if (answer.body !== undefined) {
        body = JSON.stringify(answer.body);
        headers['content-type'] ??= JSON_TYPE;
      }
      if (deps.settings().draining && exchange.protocol === 'http/1.1') exchange.closeAfterResponse();
      exchange.respond(answer.status, headers, body);
    };
    const sendError = (err: unknown, extra?: OutgoingHttpHeaders) => {
      const answer = toHttpError(err, requestIdOf());
      if (answer.unexpected) deps.logger.error({ err, request_id: requestIdOf(), path }, 'request failed');
      send({ status: answer.status, body: answer.body }, extra);
    };
    const sendEnvelope = (code: number, message: string, extra?: OutgoingHttpHeaders) =>
      send({ status: code, body: envelope(code, message, undefined, requestIdOf()) satisfies ErrorEnvelope }, extra);
    const sendAnswer = (answer: RestResponse) => send(answer, corsHeaders);

    const done = deps.inFlight.add({
      answerUnavailable: () => {
        exchange.closeAfterResponse();
        sendError(unavailable('The server is shutting down and could not finish this request in time.'));
      },
    });
    const finish = () => {
      done();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observeHttp(routeLabel, exchange.method, status, seconds);
      if (deps.logger.isLevelEnabled('info')) {
        deps.logger.info(
          {
            request_id: requestIdOf(),
            protocol: exchange.protocol,
            method: exchange.method,
            path,
            status,
            latency_ms: Math.round(seconds * 1e6) / 1e3,
          },
          'request handled',
        );
      }
    };

    /** Answers CORS preflights and routing failures itself; otherwise gives the route's answer. */
    const dispatch = (): RestResponse | Promise<RestResponse> | undefined => {
      const cors = corsDecision(settings.cors, exchange.method, exchange.headers);
      if (cors.kind === 'preflight') return void send({ status: 204 }, cors.headers);
      if (cors.kind === 'actual') corsHeaders = cors.headers;
      const match = deps.router.match(exchange.method, path);
      if (match.kind === 'not_found') return void sendEnvelope(404, 'The requested resource could not be found', corsHeaders);
      if (match.kind === 'method_not_allowed') {
        return void sendEnvelope(405, `The method ${exchange.method} is not allowed for ${path}`, {
          ...corsHeaders,
          allow: match.allowed.join(', '),
        });
      }
      if (match.kind === 'options') return void send({ status: 200 }, { ...corsHeaders, allow: match.allowed.join(', ') });
      const route = match.route;
      routeLabel = route.path;
      const handle = (body: Buffer) =>
        route.handle({
          method: exchange.method,
          path,
          query: new URLSearchParams(queryStart < 0 ? '' : exchange.url.slice(queryStart + 1)),
          headers: exchange.headers,
          body,
          json: () => parseJson(body),
        });
      if (exchange.bodyless) return handle(NO_BODY);
      return readBody(exchange.body, exchange.headers, settings.bodyLimit).then(handle, (err: unknown) => {
        exchange.closeAfterResponse();
        throw err;
      });
    };
    const settle = (answer: () => void) => {
      try {
        answer();
      } catch (err) {
        sendError(err);
      } finally {
        finish();
      }
    };

    let answer: RestResponse | Promise<RestResponse> | undefined;
    try {
      answer = dispatch();
    } catch (err) {
      return settle(() => sendError(err));
    }
    if (answer instanceof Promise) {
      return answer.then(
        (ok) => settle(() => sendAnswer(ok)),
        (err: unknown) => settle(() => sendError(err)),
      );
    }
    if (answer === undefined) return finish();
    const ready = answer;
    settle(() => sendAnswer(ready));
  };
}

const NO_BODY = Buffer.alloc(0);
