/** What the gate needs of the follower. */
export interface FollowerProgress {
  /** performance.now() at the start of the last changelog read that found nothing more. */
  readonly freshAsOf: number;
  reach(revision: number): Promise<void>;
}

/**
 * Decides when a read may use the index.
 *
 * Default (max staleness 0): Keto's guarantee, a read sent after a write's response, to
 * any process, sees that write. Before a request uses the index it waits for one read
 * of the store's head revision that started after the request arrived, then for the
 * follower to reach that revision. Head reads are coalesced: at most one is in flight,
 * and every request arriving meanwhile shares the single next one, so under load the
 * cost is one small query per round trip, not per request.
 *
 * Bounded staleness (max staleness > 0): a read uses the index as is while the follower
 * confirmed it was at the head no longer than the bound ago; otherwise it takes the
 * default path. Answers then lag committed writes by at most the bound.
 */
export class FreshnessGate {
  private inFlight: Promise<number> | undefined;
  private queued: Promise<number> | undefined;

  constructor(
    private readonly headRevision: () => Promise<number>,
    private readonly follower: FollowerProgress,
    private readonly maxStalenessMs: number,
    /** Whether any read is answered from the index at all (none while it warms up). */
    private readonly inUse: () => boolean,
  ) {}

  /** Undefined when the index may answer now, else a promise of when it may. */
  ready(): Promise<void> | undefined {
    if (!this.inUse()) return undefined;
    if (this.maxStalenessMs > 0 && performance.now() - this.follower.freshAsOf <= this.maxStalenessMs) return undefined;
    return this.probe().then((revision) => this.follower.reach(revision));
  }

  /** A head read that starts no earlier than now. */
  private probe(): Promise<number> {
    if (this.inFlight === undefined) return this.start();
    this.queued ??= this.inFlight.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<number> {
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<number> {
    const read = this.headRevision().finally(() => {
      if (this.inFlight === read) this.inFlight = undefined;
    });
    this.inFlight = read;
    return read;
  }
}
