import type { RelationTupleStore } from './store.js';

/** How often a process looks for changelog entries past their retention. */
export const PRUNE_INTERVAL_MS = 60_000;
/** Entries deleted per transaction: each batch holds the pruning lock only briefly. */
export const PRUNE_BATCH = 500;
/** Pause between two batches of one run, so that pruning a long backlog never crowds out writes. */
export const PRUNE_PAUSE_MS = 50;

export interface ChangelogPrunerOptions {
  /** `changelog.retention` in milliseconds, read at every run (0: keep every entry). */
  readonly retentionMs: () => number;
  readonly intervalMs?: number;
  readonly batch?: number;
  readonly onError?: (error: unknown) => void;
  /** Told after a run that deleted entries. */
  readonly onPruned?: (entries: number) => void;
}

/**
 * Deletes changelog entries older than the retention, in the background: every process
 * runs one, and the store's pruning lock lets one of them at a time do the work, batch by
 * batch. A follower or a watch whose position was pruned learns it from `changesSince`.
 */
export class ChangelogPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Pick<RelationTupleStore, 'pruneChangelog'>,
    private readonly options: ChangelogPrunerOptions,
  ) {}

  start(): void {
    this.schedule();
  }

  /** Stops the timer and waits for a run in progress to end (after its current batch). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Prunes until nothing is left past the retention (or another process holds the lock); returns the entries deleted. */
  run(): Promise<number> {
    this.running ??= this.prune().finally(() => (this.running = undefined));
    return this.running;
  }

  private async prune(): Promise<number> {
    const retention = this.options.retentionMs();
    if (retention <= 0) return 0;
    const batch = this.options.batch ?? PRUNE_BATCH;
    const before = new Date(Date.now() - retention);
    let total = 0;
    while (!this.stopped) {
      const deleted = await this.store.pruneChangelog(before, batch);
      total += deleted;
      if (deleted < batch) break;
      await new Promise((resolve) => setTimeout(resolve, PRUNE_PAUSE_MS));
    }
    if (total > 0) this.options.onPruned?.(total);
    return total;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.run()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.schedule());
    }, this.options.intervalMs ?? PRUNE_INTERVAL_MS);
    this.timer.unref();
  }
}
