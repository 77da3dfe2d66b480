import { type ChangeEntry, ChangelogPruned, type RelationTupleStore } from '../store/store.js';
import type { RelationTuple } from '../tuple.js';
import type { IndexCoverage } from './coverage.js';
import type { TupleIndex } from './tuple-index.js';

/** What the follower reads from the store. */
export type ChangeFeed = Pick<RelationTupleStore, 'walk' | 'changesSince' | 'headRevision' | 'networkId'>;

export interface FollowerOptions {
  /** Longest pause between two reads of the changelog. */
  readonly pollIntervalMs: number;
  /** Bytes the index may take; past it, the biggest namespaces are left to the database. */
  readonly memoryBudgetBytes: number;
  /** Tuples per page of the warm-up walk and changelog entries per read. */
  readonly batch?: number;
  readonly onError?: (error: unknown) => void;
  /** Told when a namespace is left to the database. */
  readonly onExcluded?: (namespace: string, bytes: number) => void;
  /** Told when the changelog was pruned past the index's position and the index loads every tuple again. */
  readonly onReload?: (error: ChangelogPruned) => void;
}

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Loads the index from the store and keeps it equal to the store by replaying the
 * changelog, in revision order (which is commit order: every write takes the next
 * revision under the head row's lock).
 *
 * Warm-up: note the head revision R0, walk every tuple in store order, note the head
 * R1, then replay the changelog from R0. Writes that landed during the walk (R0, R1] may
 * or may not have been seen by it, so their inserts only add a tuple that is missing;
 * every later entry is replayed exactly.
 *
 * Pruned position: when the changelog no longer holds the entries after the index's
 * revision (the follower fell behind by more than the retention), the index is loaded again
 * the same way. Meanwhile `applied` is -1, so the freshness gate lets no new read use the
 * index until it is complete again. Reads already evaluating on the index when the reload
 * starts (a long check paused between slices) may see it partly loaded.
 */
export class ChangelogFollower {
  /** The revision the index reflects. */
  applied = 0;
  /** performance.now() at the start of the last read that found the changelog exhausted. */
  freshAsOf = -Infinity;
  private walkedUpTo = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private waiters: Waiter[] = [];
  private readonly listeners = new Set<(applied: number) => void>();
  private readonly batch: number;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly index: TupleIndex,
    private readonly coverage: IndexCoverage,
    private readonly options: FollowerOptions,
  ) {
    this.batch = options.batch ?? 5000;
  }

  /** Loads every tuple, catches up with the changelog, then serves reads and keeps following. */
  async warmUp(): Promise<void> {
    await this.load();
    if (this.stopped) return;
    await this.poll();
    this.index.compact();
    if (!this.stopped) this.coverage.markWarm();
  }

  /** Walks every tuple into the index, and notes where the changelog must be replayed from. */
  private async load(): Promise<void> {
    this.index.networkId = await this.feed.networkId();
    const from = await this.feed.headRevision();
    await this.feed.walk(this.batch, (tuples) => {
      for (const t of tuples) if (this.coverage.loads(t.namespace)) this.index.insert(t);
      this.enforceBudget();
      return !this.stopped;
    });
    if (this.stopped) return;
    this.walkedUpTo = await this.feed.headRevision();
    this.applied = from;
  }

  /** Loads the index again from scratch: its position in the changelog was pruned. */
  private async reload(pruned: ChangelogPruned): Promise<void> {
    this.options.onReload?.(pruned);
    this.applied = -1;
    this.freshAsOf = -Infinity;
    this.index.clear();
    await this.load();
  }

  /**
   * Calls `listener` with the new revision each time the index has applied changelog entries
   * (woken by the change notifications, or by the poll); returns the unsubscribe function.
   */
  onApplied(listener: (applied: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Follows the changelog every `pollIntervalMs` (and whenever poked) until stop(). */
  start(): void {
    this.schedule();
  }

  /** Reads the changelog now (a notification said it moved). */
  poke(): void {
    void this.poll().catch(() => undefined);
  }

  /** Resolves once the index reflects `revision`; reads the changelog now if needed. */
  reach(revision: number): Promise<void> {
    if (this.applied >= revision) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ revision, resolve, reject }));
    this.poke();
    return done;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const closed = new Error('the index is closed');
    for (const w of this.waiters.splice(0)) w.reject(closed);
  }

  /** One read of the changelog to its end; concurrent callers share it (and one more after it). */
  private poll(): Promise<void> {
    if (this.polling !== undefined) {
      this.again = true;
      return this.polling;
    }
    const run = this.readToEnd().then(
      () => this.settle(undefined),
      (error: unknown) => {
        this.options.onError?.(error);
        this.settle(error);
        throw error;
      },
    );
    this.polling = run.finally(() => {
      this.polling = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.poke();
      }
    });
    return this.polling;
  }

  private async readToEnd(): Promise<void> {
    const before = this.applied;
    try {
      for (;;) {
        if (this.stopped) return;
        const startedAt = performance.now();
        let entries: ChangeEntry[];
        try {
          entries = await this.feed.changesSince(this.applied, this.batch);
        } catch (error) {
          if (!(error instanceof ChangelogPruned) || this.stopped) throw error;
          await this.reload(error);
          continue;
        }
        for (const entry of entries) this.apply(entry);
        if (entries.length > 0) this.enforceBudget();
        if (entries.length < this.batch) {
          this.freshAsOf = startedAt;
          return;
        }
      }
    } finally {
      if (this.applied > before) for (const listener of this.listeners) listener(this.applied);
    }
  }

  private apply(entry: ChangeEntry): void {
    const duringWalk = entry.revision <= this.walkedUpTo;
    for (const t of entry.inserted) {
      if (!this.coverage.loads(t.namespace)) continue;
      if (duringWalk && this.stored(t)) continue;
      this.index.insert(t);
    }
    for (const t of entry.deleted) if (this.coverage.loads(t.namespace)) this.index.delete(t);
    this.applied = entry.revision;
  }

  private stored(t: RelationTuple): boolean {
    return this.index.hasSubject([t], t.subject)[0]!;
  }

  private settle(error: unknown): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (error !== undefined) w.reject(error);
      else if (this.applied >= w.revision) w.resolve();
      else this.waiters.push(w);
    }
  }

  /** Leaves the biggest namespaces to the database until the index fits its budget. */
  private enforceBudget(): void {
    while (this.index.estimatedBytes() > this.options.memoryBudgetBytes) {
      const biggest = this.index.namespaces().sort((a, b) => b.rows - a.rows)[0];
      if (biggest === undefined) return;
      this.coverage.exclude(biggest.name);
      this.index.dropNamespace(biggest.name);
      this.index.compact();
      this.options.onExcluded?.(biggest.name, this.index.estimatedBytes());
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }
}
