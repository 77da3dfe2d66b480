import type { MaybePromise } from '../../reader.js';
import { tupleToProto } from '../../api/index.js';
import type { ChangelogWatch } from '../../store/changelog-watch.js';
import type { Snaptokens } from '../../store/snaptoken.js';
import type { GrpcStreamingMethod } from './streaming.js';

const mib = (n: number) => n * 1024 * 1024;

const PACKAGE = 'gatehouse.v1';
/** Bytes a watch may leave queued for a slow client before it waits for the queue to drain. */
const MAX_UNSENT_BYTES = mib(1);

export const WATCH_METHOD_PATH = `/${PACKAGE}.WatchService/Watch`;

/**
 * `gatehouse.v1.WatchService.Watch` (read port): the changes after the request's snaptoken
 * (or from now), one message each, with the snaptoken to resume from. The call ends when the
 * client cancels or the server shuts down; a position the changelog no longer holds is
 * OUT_OF_RANGE, a client that fell too far behind is dropped with UNAVAILABLE.
 */
export function watchMethods(deps: { watch: ChangelogWatch; snaptokens: () => MaybePromise<Snaptokens> }): GrpcStreamingMethod[] {
  return [
    {
      path: WATCH_METHOD_PATH,
      requestType: `${PACKAGE}.WatchRequest`,
      responseType: `${PACKAGE}.WatchResponse`,
      async serve(requests, call) {
        let request: { snaptoken?: unknown } | undefined;
        for await (const first of requests as AsyncIterable<{ snaptoken?: unknown }>) {
          request = first;
          break;
        }
        if (request === undefined || call.signal.aborted) return;
        const tokens = await deps.snaptokens();
        const from = typeof request.snaptoken === 'string' && request.snaptoken !== '' ? tokens.read(request.snaptoken) : undefined;
        const watcher = await deps.watch.open(from);
        const stop = () => watcher.close();
        call.signal.addEventListener('abort', stop, { once: true });
        try {
          for (;;) {
            const events = await watcher.next();
            if (events === undefined) return;
            for (const event of events) {
              call.send({
                action: event.action === 'insert' ? 'ACTION_INSERT' : 'ACTION_DELETE',
                relationTuple: tupleToProto(event.tuple),
                snaptoken: tokens.issue(event.position.revision, event.position.within),
              });
            }
            if (call.buffered > MAX_UNSENT_BYTES) await call.drained();
          }
        } finally {
          call.signal.removeEventListener('abort', stop);
          watcher.close();
        }
      },
    },
  ];
}
