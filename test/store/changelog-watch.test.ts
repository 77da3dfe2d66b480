/**
 * The changelog watch on every SQL dialect: exact resumption inside a write of several
 * changes, live and catching-up watchers handed the same sequence, and the bounds a watcher
 * can hold (watchers per process, events a slow client leaves unread).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { ChangelogWatch, type Watcher, type WatchEvent } from '../../src/store/changelog-watch.js';
import { openStore } from '../../src/store/open.js';
import { ChangelogPruned, type RelationTupleStore } from '../../src/store/store.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS, type TestDatabase } from './databases.js';

const t = (object: string, user: string): RelationTuple => ({ namespace: 'doc', object, relation: 'viewer', subject: { id: user } });
const brief = (events: readonly WatchEvent[]) => events.map((e) => `${e.action} ${e.tuple.object}@${'id' in e.tuple.subject ? e.tuple.subject.id : '?'}`);

/** Takes events from `watcher` until there are `n`. */
async function take(watcher: Watcher, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const events = await watcher.next();
    if (events === undefined) break;
    out.push(...events);
  }
  return out;
}

for (const dialect of SQL_DIALECTS) {
  describe(`the changelog watch on ${dialect.name}`, { skip: dialect.skip, timeout: 60_000 }, () => {
    let database: TestDatabase;
    let store: RelationTupleStore;
    const watches: ChangelogWatch[] = [];
    const timers: NodeJS.Timeout[] = [];
    /** A watch poked every 20 ms, as change notifications would (its own poll timer does not keep a process alive). */
    const watchOf = (options?: ConstructorParameters<typeof ChangelogWatch>[1]) => {
      const watch = new ChangelogWatch(store, { pollIntervalMs: 20, ...options });
      watches.push(watch);
      timers.push(setInterval(() => watch.poke(), 20));
      return watch;
    };

    before(async () => {
      database = await dialect.database();
      store = await openStore(database.dsn);
      await store.migrations.up();
    });
    after(async () => {
      for (const timer of timers) clearInterval(timer);
      for (const w of watches) w.close();
      await store?.close();
      await database?.drop();
    });

    test('events in commit order with their positions; a start inside a write resumes with its remaining changes', async () => {
      const start = await store.headRevision();
      const watch = watchOf();
      const live = await watch.open(undefined);
      const r1 = await store.transact([t('a', 'u1'), t('b', 'u1')], [t('c', 'u1')]);
      const r2 = await store.deleteMatching({ namespace: 'doc', object: 'a' });
      const events = await take(live, 4);
      assert.deepEqual(brief(events), ['insert a@u1', 'insert b@u1', 'delete c@u1', 'delete a@u1']);
      assert.deepEqual(
        events.map((e) => e.position),
        [{ revision: r1, within: 1 }, { revision: r1, within: 2 }, { revision: r1 }, { revision: r2 }],
      );
      for (const [from, expected] of [
        [{ revision: start }, ['insert a@u1', 'insert b@u1', 'delete c@u1', 'delete a@u1']],
        [{ revision: r1, within: 1 }, ['insert b@u1', 'delete c@u1', 'delete a@u1']],
        [{ revision: r1, within: 2 }, ['delete c@u1', 'delete a@u1']],
        [{ revision: r1 }, ['delete a@u1']],
      ] as const) {
        const resumed = await watch.open(from);
        assert.deepEqual(brief(await take(resumed, expected.length)), expected, JSON.stringify(from));
        resumed.close();
      }
      live.close();
      assert.equal(await live.next(), undefined);
      assert.equal(watch.watchers, 0);
    });

    test('live watchers and one catching up from far behind each get every change exactly once', async () => {
      const start = await store.headRevision();
      const watch = watchOf({ batch: 3 });
      const early = await watch.open(undefined);
      const writes: RelationTuple[] = [];
      for (let i = 0; i < 20; i++) {
        writes.push(t(`w${i}`, 'u'));
        await store.transact([t(`w${i}`, 'u')], []);
      }
      const late = await watch.open({ revision: start });
      const writing = (async () => {
        for (let i = 20; i < 40; i++) {
          writes.push(t(`w${i}`, 'u'));
          await store.transact([t(`w${i}`, 'u')], []);
          if (i % 5 === 0) watch.poke();
        }
      })();
      const [fromEarly, fromLate] = await Promise.all([take(early, 40), take(late, 40)]);
      await writing;
      const expected = writes.map((w) => `insert ${w.object}@u`);
      assert.deepEqual(brief(fromEarly), expected);
      assert.deepEqual(brief(fromLate), expected);
      early.close();
      late.close();
    });

    test('a start the changelog no longer holds is refused; the watchers per process and the unread events are bounded', async () => {
      const old = await store.headRevision();
      await store.transact([t('p', 'u')], []);
      await store.transact([t('q', 'u')], []);
      while ((await store.pruneChangelog(new Date(Date.now() + 60_000), 1000)) > 0);
      const watch = watchOf({ maxWatchers: 2, maxBufferedEvents: 5 });
      await assert.rejects(watch.open({ revision: old }), ChangelogPruned);

      const slow = await watch.open(undefined);
      const other = await watch.open(undefined);
      await assert.rejects(watch.open(undefined), (error: unknown) => error instanceof GatehouseError && error.kind === 'unavailable' && /2 watchers/.test(error.message));
      other.close();
      // The slow watcher joins the live read, then does not take its events.
      const first = slow.next();
      await store.transact([t('s0', 'u')], []);
      watch.poke();
      assert.deepEqual(brief((await first)!), ['insert s0@u']);
      await store.transact(Array.from({ length: 6 }, (_, i) => t(`s${i + 1}`, 'u')), []);
      watch.poke();
      await assert.rejects(
        (async () => {
          for (;;) if ((await slow.next()) === undefined) return;
        })(),
        (error: unknown) => error instanceof GatehouseError && error.kind === 'unavailable' && /more than 5 changes behind/.test(error.message),
      );
      assert.equal(watch.watchers, 0, 'a dropped watcher no longer counts');
      const again = await watch.open(undefined);
      again.close();
    });
  });
}
