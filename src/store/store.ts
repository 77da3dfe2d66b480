import { GatehouseError } from '../errors.js';
import type { MaybePromise, TupleSource } from '../reader.js';
import type { ChangeNotifications } from './change-notifications.js';
import type { PoolUsage } from './sql/driver.js';
import type { SpanRunner } from './sql/traced-driver.js';
import type { RelationQuery, RelationTuple } from '../tuple.js';

/**
 * Durable relationship storage: Keto's tables plus gatehouse's changelog. One
 * implementation per SQL dialect, all passing the shared store suite.
 *
 * Ordering guarantee: every read returns tuples in the store's stable order, which is
 * ascending `shard_id` (the row's primary key within the network). gatehouse writes
 * time-ordered shard ids (UUIDv7), so for rows it wrote this is insertion order; rows a
 * Keto process wrote (random UUIDv4 ids) sort among them arbitrarily but stably. A row
 * never moves in that order, so a keyset page walk sees every tuple that existed for
 * the whole walk exactly once, whatever is inserted or deleted meanwhile.
 *
 * Errors: bad input (a relation longer than 64 characters, a namespace longer than 200,
 * a NUL character, a lone surrogate) → invalid_argument before any SQL runs; an
 * unreachable or overloaded database → unavailable; nothing else of the driver leaks.
 */
export interface RelationTupleStore extends TupleSource {
  /** One page of the tuples matching `query` (every set field must match exactly). */
  list(query: RelationQuery, page?: PageRequest): Promise<TuplePage>;

  /**
   * Every tuple of the network in store order, `pageSize` at a time: `onPage` is given
   * each page and returns whether to go on. Read along the primary key as one stream
   * where the dialect allows (a cursor), else in keyset pages, so the cost per tuple does
   * not grow with the table. What it sees of writes made meanwhile is as for a keyset walk.
   */
  walk(pageSize: number, onPage: (tuples: RelationTuple[]) => boolean): Promise<void>;

  /**
   * Applies `insert` then `delete` atomically in one transaction and appends one
   * changelog entry; returns the new revision. Inserts are not deduplicated (as in
   * Keto, writing an existing tuple stores a second row); deleting a tuple removes
   * every row equal to it. An empty write changes nothing and returns the head revision.
   */
  transact(insert: readonly RelationTuple[], remove: readonly RelationTuple[]): Promise<number>;

  /** Deletes every tuple matching `query` atomically; returns the new revision. */
  deleteMatching(query: RelationQuery): Promise<number>;

  /**
   * Changelog entries with a revision greater than `revision`, oldest first, at most `limit`.
   * Revisions are dense: the first entry is `revision + 1` when there is one. Throws
   * ChangelogPruned when entries after `revision` were pruned (see `pruneChangelog`).
   */
  changesSince(revision: number, limit: number): Promise<ChangeEntry[]>;

  /**
   * Deletes at most about `batch` of the oldest changelog entries committed before `before`
   * (the newest entry always stays), in one short transaction, and records how far the
   * changelog was pruned. One process prunes at a time: while another holds the pruning
   * lock this returns 0 at once. Returns how many entries it deleted.
   */
  pruneChangelog(before: Date, batch: number): Promise<number>;

  /** The revision of the latest committed write (0 before the first). */
  headRevision(): Promise<number>;

  /** True when no other process can write the database (SQLite in memory): every write is this process's. */
  readonly processPrivate?: boolean;

  /**
   * The network id (Keto's `nid`) this store reads and writes: what identifies its database
   * to snaptokens; the UUIDs of its strings are made under it (and a traverse's order follows them).
   * Answered at once once it is known.
   */
  networkId(): MaybePromise<string>;

  /**
   * The secrets that sign tokens: `secrets.pagination`, or a random key kept in the database
   * when none is configured. Answered at once once they are known.
   */
  tokenSecrets(): MaybePromise<readonly string[]>;

  /**
   * Notices of committed writes: `onChange` hears of this process's writes (announced
   * through the result) and, where the database carries notices between processes
   * (PostgreSQL's LISTEN/NOTIFY), of every other process's too; elsewhere followers poll.
   */
  changeNotifications(onChange: () => void, onError: (error: unknown) => void): ChangeNotifications;

  /** Throws unavailable when the database cannot be reached. */
  ping(): Promise<void>;

  readonly migrations: Migrator;

  close(): Promise<void>;
  /** The connection pool's use, where the database has a pool. */
  poolUsage?(): PoolUsage | undefined;
}

export interface PageRequest {
  /** Rows per page; the caller has already applied defaults and clamping. */
  readonly size: number;
  /** The opaque token of a previous page's `nextPageToken`. */
  readonly token?: string;
}

export interface TuplePage {
  readonly tuples: RelationTuple[];
  /** Empty when this is the last page. */
  readonly nextPageToken: string;
}

/** One committed write, as followers (in-memory index, watch) replay it. */
export interface ChangeEntry {
  readonly revision: number;
  /** Rows added, in the order written. */
  readonly inserted: RelationTuple[];
  /** Tuples removed, applied after the inserts; each removes every equal row. */
  readonly deleted: RelationTuple[];
}

/**
 * The changelog no longer holds the entries after a position (they were pruned): a follower
 * there must load the tuples again, a watch cannot resume there.
 */
export class ChangelogPruned extends GatehouseError {
  constructor(
    /** The position asked for. */
    readonly position: number,
    /** Every entry up to this revision is gone. */
    readonly prunedThrough: number,
  ) {
    super('not_found', `The changelog no longer holds the changes after revision ${position}: they were pruned (up to ${prunedThrough})`);
    this.name = 'ChangelogPruned';
  }
}

export type MigrationState = 'applied' | 'pending';

export interface MigrationStatus {
  readonly version: string;
  readonly name: string;
  readonly state: MigrationState;
}

export interface Migrator {
  /** Every known migration in order, with its state in this database. */
  status(): Promise<MigrationStatus[]>;
  /** Applies pending migrations (at most `steps` when given); returns the versions applied. */
  up(steps?: number): Promise<string[]>;
  /** Reverts the last `steps` applied migrations; returns the versions reverted. */
  down(steps: number): Promise<string[]>;
}

/** Pool, timeout and retry settings; every field has a sane default. */
export interface StoreOptions {
  /** Connections per process (PostgreSQL, MySQL). Default 10. */
  readonly maxConnections?: number;
  /** Milliseconds to wait for a free connection, or for a SQLite lock. Default 5000. */
  readonly acquireTimeoutMs?: number;
  /** Retries of a transaction that failed on a serialization failure or deadlock. Default 5. */
  readonly maxRetries?: number;
  /**
   * Milliseconds a statement may run before it fails as unavailable (PostgreSQL, MySQL; 0:
   * no limit). Default 5000. Migrations run without it. SQLite runs statements in-process
   * and cannot stop one; its waits for another process's lock end at `acquireTimeoutMs`.
   */
  readonly statementTimeoutMs?: number;
  /**
   * `secrets.pagination`: the first signs page tokens, all verify. None → a random key
   * generated once and kept in the database. A function is asked on every page, so a
   * reloaded configuration rotates secrets without a restart.
   */
  readonly paginationSecrets?: readonly string[] | (() => readonly string[]);
  /** Puts each statement and transaction in a span (when tracing is on). */
  readonly spans?: SpanRunner;
}
