import { unavailable } from '../errors.js';
import { type Consistency, DEFAULT_CONSISTENCY, type MaybePromise, type Readers, type TupleSource } from '../reader.js';

/** What the gate needs of the follower. */
export interface FollowerProgress {
  /** The revision the index reflects. */
  readonly applied: number;
  /** performance.now() at the start of the last changelog read that found nothing more. */
  readonly freshAsOf: number;
  reach(revision: number): Promise<void>;
}

/**
 * Where the gate learns the head revision: a read of the database, or, for a database no
 * other process can write, the revision of this process's last write, known without a read.
 */
export type HeadSource = { readonly read: () => Promise<number> } | { readonly lastWrite: () => number };

/**
 * Decides when a read may use the index: when it reflects the revision the read's
 * consistency names.
 *
 * Default (max staleness 0): Keto's guarantee, a read sent after a write's response, to
 * any process, sees that write. Before a request uses the index it waits for one read
 * of the store's head revision that started after the request arrived, then for the
 * follower to reach that revision. Head reads are coalesced, one in flight at a time, the
 * next shared by every request arriving until it is sent. With none in flight, it is sent
 * at the event loop's check phase, so that the requests read from the sockets in one turn
 * of the loop share it, whatever their number. With one in flight, the next is sent the
 * moment that one is answered, before the requests it answered go on: its round trip then
 * overlaps their evaluation. (On PostgreSQL the store sends it on a connection of its own
 * as a prepared statement: one round trip.)
 *
 * Why change notifications cannot spare that read: a notification proves only that the
 * writes committed before it was sent exist; it says nothing of a write committed after,
 * and its absence proves nothing at all, since it travels apart from the write's response
 * (the writer notifies after its commit, and the database delivers it to listeners when it
 * gets to it). A client can receive a write's response and send a read here before this
 * process hears of the write; only a read of the database sent after the request arrived
 * is ordered after every write acknowledged before it. Notifications only make the
 * follower apply a write sooner, so that the wait after the head read is short.
 *
 * Bounded staleness (max staleness > 0): a read uses the index as is while the follower
 * confirmed it was at the head no longer than the bound ago; otherwise it takes the
 * default path. Answers then lag committed writes by at most the bound.
 *
 * A database no other process can write (SQLite in memory): a read waits only while the
 * index has not reached this process's last write, and the head is never read.
 *
 * A read that names a revision (at least R) waits only when the index has not reached R.
 *
 * A wait lasts `timeoutMs` at most (0: no limit): past it the read fails as unavailable,
 * so a stalled database holds no request longer than that.
 */
export class FreshnessGate {
  private inFlight = false;
  /** The head read to be sent next, shared by the requests waiting for it. */
  private next: PendingRead | undefined;

  constructor(
    private readonly head: HeadSource,
    private readonly follower: FollowerProgress,
    private readonly maxStalenessMs: number,
    /** Whether any read is answered from the index at all (none while it warms up). */
    private readonly inUse: () => boolean,
    private readonly timeoutMs = 0,
  ) {}

  /** Undefined when the index may answer now, else a promise of when it may. */
  ready(consistency: Consistency = DEFAULT_CONSISTENCY): Promise<void> | undefined {
    if (!this.inUse()) return undefined;
    if (consistency.kind === 'at-least') {
      return this.follower.applied >= consistency.revision ? undefined : this.bounded(this.follower.reach(consistency.revision));
    }
    if (consistency.kind === 'default' && this.maxStalenessMs > 0 && performance.now() - this.follower.freshAsOf <= this.maxStalenessMs) return undefined;
    if ('lastWrite' in this.head) {
      const revision = this.head.lastWrite();
      return this.follower.applied >= revision ? undefined : this.bounded(this.follower.reach(revision));
    }
    return this.bounded(this.probe(this.head.read).then((revision) => this.follower.reach(revision)));
  }

  /** `wait`, or unavailable once `timeoutMs` passed. */
  private bounded(wait: Promise<void>): Promise<void> {
    if (!(this.timeoutMs > 0)) return wait;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(unavailable('The database did not answer in time')), this.timeoutMs);
      wait.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** The next head read to be sent (it is sent later than now). */
  private probe(read: () => Promise<number>): Promise<number> {
    if (this.next === undefined) {
      this.next = pendingRead();
      if (!this.inFlight) setImmediate(() => this.send(read));
    }
    return this.next.revision;
  }

  private send(read: () => Promise<number>): void {
    const pending = this.next!;
    this.next = undefined;
    this.inFlight = true;
    const answered = () => {
      this.inFlight = false;
      if (this.next !== undefined) this.send(read);
    };
    read().then(
      (revision) => {
        answered();
        pending.resolve(revision);
      },
      (error: unknown) => {
        answered();
        pending.reject(error);
      },
    );
  }
}

interface PendingRead {
  readonly revision: Promise<number>;
  resolve(revision: number): void;
  reject(error: unknown): void;
}

const pendingRead = (): PendingRead => {
  let settle!: Omit<PendingRead, 'revision'>;
  const revision = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  return { revision, ...settle };
};

/** The readers of `source` (the index), each opened once the gate finds the index at the revision asked for. */
export const gatedReads = (gate: FreshnessGate, source: TupleSource, revision: () => MaybePromise<number>): Readers => ({
  open(consistency) {
    const wait = gate.ready(consistency);
    return wait === undefined ? source : wait.then(() => source);
  },
  revision,
});
