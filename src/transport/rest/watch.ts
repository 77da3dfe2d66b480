import type { MaybePromise } from '../../reader.js';
import { tupleToKeto } from '../../api/index.js';
import type { ChangelogWatch, Watcher, WatchEvent } from '../../store/changelog-watch.js';
import type { Snaptokens } from '../../store/snaptoken.js';
import { toHttpError } from '../errors.js';
import type { ResponseStream } from '../http/exchange.js';
import type { RestRoute } from './route.js';

const mib = (n: number) => n * 1024 * 1024;

/** A comment line sent while nothing happens, so that proxies keep the stream open and a gone client is noticed. */
export const WATCH_HEARTBEAT_MS = 15_000;
/** Bytes a watch may have queued for a client that reads slowly; past it no more events are taken until the queue drains. */
export const WATCH_MAX_UNSENT_BYTES = mib(1);
/** What an EventSource waits before it reconnects (with Last-Event-ID). */
const RECONNECT_MS = 1_000;

export interface WatchRouteDeps {
  readonly watch: ChangelogWatch;
  readonly snaptokens: () => MaybePromise<Snaptokens>;
}

/** The JSON of one event's `data` line. */
export const watchEventJson = (event: WatchEvent, snaptoken: string) => ({
  action: event.action,
  relation_tuple: tupleToKeto(event.tuple),
  snaptoken,
});

/**
 * `GET /relation-tuples/watch` (read port): every committed change of the database as
 * Server-Sent Events, in commit order, from the `snaptoken` query parameter (or from now).
 * Each event's id is the snaptoken right after its change; a client that reconnects with
 * Last-Event-ID (which wins over the query) resumes with no gap and no duplicate. A start
 * the changelog no longer holds is 410 Gone. A failure after the stream began (the client
 * fell too far behind, the position was pruned meanwhile) is sent as an `error` event with
 * Keto's error envelope, and the stream ends.
 */
export function watchRoutes(deps: WatchRouteDeps): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/relation-tuples/watch',
      async handle(req) {
        const tokens = await deps.snaptokens();
        const lastEventId = req.headers['last-event-id'];
        const resume = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : (req.query.get('snaptoken') ?? '');
        const watcher = await deps.watch.open(resume === '' ? undefined : tokens.read(resume));
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
          stream: (out) => sendEvents(watcher, tokens, out),
        };
      },
    },
  ];
}

async function sendEvents(watcher: Watcher, tokens: Snaptokens, out: ResponseStream): Promise<void> {
  const stop = () => watcher.close();
  out.closed.addEventListener('abort', stop, { once: true });
  const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), WATCH_HEARTBEAT_MS);
  try {
    out.write(`retry: ${RECONNECT_MS}\n\n`);
    for (;;) {
      const events = await watcher.next();
      if (events === undefined) return;
      let text = '';
      for (const event of events) {
        const token = tokens.issue(event.position.revision, event.position.within);
        text += `id: ${token}\ndata: ${JSON.stringify(watchEventJson(event, token))}\n\n`;
      }
      out.write(text);
      if (out.buffered > WATCH_MAX_UNSENT_BYTES) await out.drained();
    }
  } catch (err) {
    const answer = toHttpError(err);
    out.write(`event: error\ndata: ${JSON.stringify(answer.body)}\n\n`);
    // The pipeline logs what the client is not told.
    if (answer.unexpected) throw err;
  } finally {
    clearInterval(heartbeat);
    out.closed.removeEventListener('abort', stop);
    watcher.close();
  }
}
