import type { Readers, TupleSource } from '../reader.js';
import { announcingWrites, type ChangeNotifications } from '../store/change-notifications.js';
import type { RelationTupleStore } from '../store/store.js';
import { ChangelogFollower } from './changelog-follower.js';
import { IndexCoverage } from './coverage.js';
import { FreshnessGate, gatedReads } from './freshness-gate.js';
import { IndexedTupleSource } from './indexed-source.js';
import { TupleIndex } from './tuple-index.js';

export interface LiveIndexOptions {
  readonly store: RelationTupleStore;
  readonly memoryBudgetBytes: number;
  /** 0: every read sees every write acknowledged before it (Keto's guarantee); else the bound. */
  readonly maxStalenessMs: number;
  /** Longest a read waits for the index to be confirmed current (0: no limit). */
  readonly freshnessTimeoutMs?: number;
  readonly log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Background poll when nothing waits on the changelog (the freshness gate asks on demand). */
const IDLE_POLL_MS = 1000;
/** Pause before a failed warm-up starts again from scratch. */
const WARM_UP_RETRY_MS = 2000;

/**
 * The in-memory index of one gatehouse process, wired: loaded from the store in the
 * background (reads go to the database until it is warm), kept current by the changelog
 * follower, opened for a read once the freshness gate finds it at the revision the read
 * asks for. `reads` are the engines' readers; use `store` (writes announced to the
 * followers) wherever the store is written.
 */
export class LiveIndex {
  readonly index = new TupleIndex();
  readonly coverage = new IndexCoverage();
  readonly follower: ChangelogFollower;
  readonly gate: FreshnessGate;
  readonly source: TupleSource;
  readonly reads: Readers;
  readonly store: RelationTupleStore;
  private readonly notifications: ChangeNotifications;
  private warming: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: LiveIndexOptions) {
    const { log } = options;
    const bounded = options.maxStalenessMs > 0;
    this.follower = new ChangelogFollower(options.store, this.index, this.coverage, {
      pollIntervalMs: bounded ? Math.max(1, Math.min(IDLE_POLL_MS, options.maxStalenessMs / 4)) : IDLE_POLL_MS,
      memoryBudgetBytes: options.memoryBudgetBytes,
      onError: (err) => log?.warn({ err }, 'index: reading the changelog failed'),
      onExcluded: (namespace, bytes) =>
        log?.warn({ namespace, bytes, budget: options.memoryBudgetBytes }, 'index: namespace left to the database to stay within the memory budget'),
    });
    let lastWrite = 0;
    const head = options.store.processPrivate ? { lastWrite: () => lastWrite } : { read: () => options.store.headRevision() };
    this.gate = new FreshnessGate(head, this.follower, options.maxStalenessMs, () => this.coverage.isWarm, options.freshnessTimeoutMs);
    this.source = new IndexedTupleSource(this.index, options.store, this.coverage);
    this.reads = gatedReads(this.gate, this.source, () => (this.coverage.isWarm ? this.follower.applied : options.store.headRevision()));
    const poke = () => this.follower.poke();
    this.notifications = options.store.changeNotifications(
      () => this.coverage.isWarm && poke(),
      (err) => log?.warn({ err }, 'index: change notifications interrupted'),
    );
    this.store = announcingWrites(options.store, this.notifications, (revision) => (lastWrite = Math.max(lastWrite, revision)));
  }

  /** Starts the warm-up in the background; resolves when the index serves reads. */
  start(): Promise<void> {
    return (this.warming ??= this.warmUp());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.follower.stop();
    await this.notifications.close();
  }

  private async warmUp(): Promise<void> {
    while (!this.closed) {
      const started = performance.now();
      try {
        await this.follower.warmUp();
        this.follower.start();
        this.options.log?.info(
          {
            tuples: this.index.rows,
            revision: this.follower.applied,
            ms: Math.round(performance.now() - started),
            bytes: this.index.estimatedBytes(),
            namespaces_from_database: this.coverage.excludedNamespaces(),
          },
          'index: warm, reads are answered from memory',
        );
        return;
      } catch (err) {
        if (this.closed) return;
        this.options.log?.error({ err }, 'index: warm-up failed; reads stay on the database, retrying');
        this.index.clear();
        await new Promise((resolve) => setTimeout(resolve, WARM_UP_RETRY_MS).unref());
      }
    }
  }
}
