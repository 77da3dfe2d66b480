import { unavailable } from '../errors.js';
import type { RelationTuple } from '../tuple.js';
import type { ChangelogPosition } from './snaptoken.js';
import { type ChangeEntry, ChangelogPruned, type RelationTupleStore } from './store.js';

/** Watchers one process serves at once; one more is refused (503 / UNAVAILABLE). */
export const MAX_WATCHERS = 128;
/** Events a watcher may hold that its client has not taken yet; past it the watcher is dropped (it can resume). */
export const MAX_BUFFERED_EVENTS = 10_000;
/** Longest pause between two reads of the changelog while anyone watches (change notifications wake it sooner). */
export const WATCH_POLL_MS = 1_000;
/** Changelog entries per read. */
const WATCH_BATCH = 500;

/** One change as watch reports it: a tuple inserted or deleted, and the position right after it. */
export interface WatchEvent {
  readonly action: 'insert' | 'delete';
  readonly tuple: RelationTuple;
  readonly position: ChangelogPosition;
}

export type WatchFeed = Pick<RelationTupleStore, 'changesSince' | 'headRevision'>;

export interface ChangelogWatchOptions {
  readonly pollIntervalMs?: number;
  readonly maxWatchers?: number;
  readonly maxBufferedEvents?: number;
  readonly batch?: number;
  readonly onError?: (error: unknown) => void;
}

/** The changes of one entry after `skip` of them: inserts first, then deletes, as the entry applies them. */
function eventsOf(entry: ChangeEntry, skip: number): WatchEvent[] {
  const changes: [WatchEvent['action'], RelationTuple][] = [
    ...entry.inserted.map((t): [WatchEvent['action'], RelationTuple] => ['insert', t]),
    ...entry.deleted.map((t): [WatchEvent['action'], RelationTuple] => ['delete', t]),
  ];
  const events: WatchEvent[] = [];
  for (let i = skip; i < changes.length; i++) {
    const [action, tuple] = changes[i]!;
    const last = i === changes.length - 1;
    events.push({ action, tuple, position: last ? { revision: entry.revision } : { revision: entry.revision, within: i + 1 } });
  }
  return events;
}

/**
 * Every committed change of the database, in commit (revision) order, for any number of
 * watchers. A watcher first reads the changelog itself from its start position; once it
 * has caught up it joins the live watchers, which share one read of the changelog per wake
 * (a change notification, a local write, or the poll). Positions make joining exact: a
 * live watcher takes only entries past its own position, and joins only when the shared
 * read has not gone past it.
 */
export class ChangelogWatch {
  private readonly live = new Set<Watcher>();
  private readonly all = new Set<Watcher>();
  /** The revision the shared read has delivered up to; undefined until the first watcher. */
  private tail: number | undefined;
  private starting: Promise<void> | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly batch: number;

  constructor(
    private readonly feed: WatchFeed,
    private readonly options: ChangelogWatchOptions = {},
  ) {
    this.batch = options.batch ?? WATCH_BATCH;
  }

  get watchers(): number {
    return this.all.size;
  }

  /**
   * A watcher of the changes after `from` (after the current head when undefined).
   * Throws ChangelogPruned when the changelog no longer holds the changes after `from`,
   * unavailable when the process already serves its maximum of watchers.
   */
  async open(from: ChangelogPosition | undefined): Promise<Watcher> {
    this.admit();
    const start = from ?? { revision: await this.feed.headRevision() };
    // Pruned positions fail here, before the caller answers anything.
    await this.feed.changesSince(start.within === undefined ? start.revision : start.revision - 1, 1);
    this.admit();
    const watcher = new Watcher(this, start, this.options.maxBufferedEvents ?? MAX_BUFFERED_EVENTS);
    this.all.add(watcher);
    return watcher;
  }

  private admit(): void {
    if (this.closed) throw unavailable('The server is shutting down');
    if (this.all.size >= (this.options.maxWatchers ?? MAX_WATCHERS)) {
      throw unavailable(`This server already serves ${this.all.size} watchers; retry later or on another server`);
    }
  }

  /** Reads the changelog now for the live watchers (a change was announced). */
  poke(): void {
    if (this.live.size === 0 || this.closed) return;
    if (this.reading !== undefined) {
      this.again = true;
      return;
    }
    this.reading = this.readToEnd()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Ends every watcher (shutdown). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of [...this.all]) watcher.close();
  }

  /** @internal A caught-up watcher at `position` joins the shared read, unless it has already gone past; returns whether it joined. */
  async join(watcher: Watcher): Promise<boolean> {
    this.starting ??= this.feed.headRevision().then(
      (head) => {
        this.tail ??= head;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw error;
      },
    );
    await this.starting;
    if (watcher.ended) return false;
    if (watcher.position.within !== undefined) return false;
    // With no live watcher the shared read may skip ahead (a read in flight from the old tail then discards its result).
    if (this.live.size === 0 && this.tail! < watcher.position.revision) this.tail = watcher.position.revision;
    if (this.tail! > watcher.position.revision) return false;
    this.live.add(watcher);
    this.schedule();
    return true;
  }

  /** @internal */
  forget(watcher: Watcher): void {
    this.all.delete(watcher);
    this.live.delete(watcher);
    if (this.live.size === 0) clearTimeout(this.timer);
  }

  private async readToEnd(): Promise<void> {
    for (;;) {
      if (this.live.size === 0) return;
      const from = this.tail!;
      let entries: ChangeEntry[];
      try {
        entries = await this.feed.changesSince(from, this.batch);
      } catch (error) {
        // The shared read itself fell behind the horizon: its watchers must resume on their own.
        // Any other failure is retried at the next wake, the watchers kept.
        if (error instanceof ChangelogPruned) {
          for (const watcher of [...this.live]) watcher.fail(error);
          this.tail = undefined;
          this.starting = undefined;
        }
        throw error;
      }
      if (this.tail !== from) return;
      for (const entry of entries) {
        for (const watcher of this.live) watcher.deliver(entry);
        this.tail = entry.revision;
      }
      if (entries.length < this.batch) return;
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closed || this.live.size === 0) return;
    this.timer = setTimeout(() => {
      this.poke();
      this.schedule();
    }, this.options.pollIntervalMs ?? WATCH_POLL_MS);
    this.timer.unref();
  }

  /** @internal */
  read(from: ChangelogPosition): Promise<ChangeEntry[]> {
    return this.feed.changesSince(from.within === undefined ? from.revision : from.revision - 1, this.batch);
  }
}

/**
 * One watch: `next()` hands out the events after its position in order, each exactly once;
 * it resolves once there are some, with undefined when the watcher was closed, and throws
 * when it cannot go on (its position was pruned, it fell too far behind, the database failed).
 */
export class Watcher {
  /** The position of the last event handed to `buffer`. */
  position: ChangelogPosition;
  private buffer: WatchEvent[] = [];
  private joined = false;
  private failure: unknown;
  private done = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly watch: ChangelogWatch,
    start: ChangelogPosition,
    private readonly maxBuffered: number,
  ) {
    this.position = start;
  }

  /** Whether the watcher was closed or failed: it takes no more events. */
  get ended(): boolean {
    return this.done || this.failure !== undefined;
  }

  async next(): Promise<WatchEvent[] | undefined> {
    for (;;) {
      if (this.buffer.length > 0) return this.buffer.splice(0);
      if (this.failure !== undefined) throw this.failure;
      if (this.done) return undefined;
      if (!this.joined) {
        await this.catchUp();
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  close(): void {
    this.done = true;
    this.watch.forget(this);
    this.notify();
  }

  /** @internal A live entry from the shared read. */
  deliver(entry: ChangeEntry): void {
    if (this.done || entry.revision <= this.position.revision) return;
    const events = eventsOf(entry, 0);
    if (this.buffer.length + events.length > this.maxBuffered) {
      this.fail(unavailable(`The watch fell more than ${this.maxBuffered} changes behind and was ended; resume from the last event received`));
      return;
    }
    this.take(events);
    this.notify();
  }

  /** @internal */
  fail(error: unknown): void {
    this.failure ??= error;
    this.watch.forget(this);
    this.notify();
  }

  /** Reads the changelog from its own position until it has caught up, then joins the live watchers. */
  private async catchUp(): Promise<void> {
    const entries = await this.watch.read(this.position);
    for (const entry of entries) {
      if (entry.revision < this.position.revision) continue;
      const skip = entry.revision === this.position.revision ? (this.position.within ?? eventsOf(entry, 0).length) : 0;
      this.take(eventsOf(entry, skip));
      if (this.position.revision < entry.revision || this.position.within !== undefined) this.position = { revision: entry.revision };
    }
    if (entries.length < this.watch.batch && !this.done) this.joined = await this.watch.join(this);
  }

  private take(events: WatchEvent[]): void {
    if (events.length === 0) return;
    this.buffer.push(...events);
    this.position = events[events.length - 1]!.position;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
