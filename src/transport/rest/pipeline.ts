import { randomUUID } from 'node:crypto';
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
import type { RestRequest, RestResponse } from './route.js';
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
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** Serves one REST request end to end: CORS, routing, body limit, the handler, errors, log line, metrics. */
export function restPipeline(deps: RestPipelineDeps): (exchange: HttpExchange) => Promise<void> {
  return async (exchange) => {
    const started = process.hrtime.bigint();
    const settings = deps.settings();
    const header = exchange.headers['x-request-id'];
    const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    const queryStart = exchange.url.indexOf('?');
    const path = queryStart < 0 ? exchange.url : exchange.url.slice(0, queryStart);
    let routeLabel = 'unmatched';
    let status = 0;

    const send = (answer: RestResponse, extra?: OutgoingHttpHeaders) => {
      if (exchange.responded) return;
      status = answer.status;
      let body: Buffer | undefined;
      const headers: OutgoingHttpHeaders = { ...extra, ...answer.headers };
      if (typeof answer.body === 'string') {
        body = Buffer.from(answer.body, 'utf8');
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      } else if (answer.body !== undefined) {
        body = Buffer.from(JSON.stringify(answer.body), 'utf8');
        headers['content-type'] ??= JSON_TYPE;
      }
      if (deps.settings().draining && exchange.protocol === 'http/1.1') exchange.closeAfterResponse();
      exchange.respond(answer.status, headers, body);
    };
    const sendError = (err: unknown, extra?: OutgoingHttpHeaders) => {
      const answer = toHttpError(err, requestId);
      if (answer.unexpected) deps.logger.error({ err, request_id: requestId, path }, 'request failed');
      send({ status: answer.status, body: answer.body }, extra);
    };
    const sendEnvelope = (code: number, message: string, extra?: OutgoingHttpHeaders) =>
      send({ status: code, body: envelope(code, message, undefined, requestId) satisfies ErrorEnvelope }, extra);

    const done = deps.inFlight.add({
      answerUnavailable: () => {
        exchange.closeAfterResponse();
        sendError(unavailable('The server is shutting down and could not finish this request in time.'));
      },
    });
    try {
      const cors = corsDecision(settings.cors, exchange.method, exchange.headers);
      if (cors.kind === 'preflight') {
        send({ status: 204 }, cors.headers);
        return;
      }
      const corsHeaders = cors.kind === 'actual' ? cors.headers : undefined;
      const match = deps.router.match(exchange.method, path);
      if (match.kind === 'not_found') {
        sendEnvelope(404, 'The requested resource could not be found', corsHeaders);
        return;
      }
      if (match.kind === 'method_not_allowed') {
        sendEnvelope(405, `The method ${exchange.method} is not allowed for ${path}`, {
          ...corsHeaders,
          allow: match.allowed.join(', '),
        });
        return;
      }
      if (match.kind === 'options') {
        send({ status: 200 }, { ...corsHeaders, allow: match.allowed.join(', ') });
        return;
      }
      routeLabel = match.route.path;
      let body: Buffer;
      try {
        body = await readBody(exchange.body, exchange.headers, settings.bodyLimit);
      } catch (err) {
        exchange.closeAfterResponse();
        throw err;
      }
      const request: RestRequest = {
        method: exchange.method,
        path,
        query: new URLSearchParams(queryStart < 0 ? '' : exchange.url.slice(queryStart + 1)),
        headers: exchange.headers,
        body,
        json: () => parseJson(body),
      };
      send(await match.route.handle(request), corsHeaders);
    } catch (err) {
      sendError(err);
    } finally {
      done();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observeHttp(routeLabel, exchange.method, status, seconds);
      deps.logger.info(
        {
          request_id: requestId,
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
}
