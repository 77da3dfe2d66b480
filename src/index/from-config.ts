import { durationMs } from '../config/duration.js';
import type { Config } from '../config/types.js';
import { currentReads, type Readers } from '../reader.js';
import type { RelationTupleStore } from '../store/store.js';
import { LiveIndex, type LiveIndexOptions } from './live-index.js';

/** How reads reach the tuples: through the in-memory index (`index.enabled`), or straight to the database. */
export interface ReadPath {
  /** The engines' readers. */
  readonly reads: Readers;
  /** The store to write through (each write announced to the index followers). */
  readonly store: RelationTupleStore;
  /** The live index, when enabled. */
  readonly index: LiveIndex | undefined;
  close(): Promise<void>;
}

/**
 * The read path a configuration asks for. With the index on, it starts warming up in
 * the background at once; reads go to the database until it is warm, so the process is
 * ready immediately. With it off, every hop of every check is a database query (Keto's
 * design): the baseline and the operators' safety valve.
 */
export function readPathFromConfig(config: Config, store: RelationTupleStore, log?: LiveIndexOptions['log']): ReadPath {
  if (!config.index.enabled) {
    return { reads: currentReads(store, () => store.headRevision()), store, index: undefined, close: async () => undefined };
  }
  const live = new LiveIndex({
    store,
    memoryBudgetBytes: config.index.memory_budget,
    maxStalenessMs: durationMs(config.index.max_staleness),
    freshnessTimeoutMs: durationMs(config.index.freshness_timeout),
    ...(log ? { log } : {}),
  });
  void live.start();
  return { reads: live.reads, store: live.store, index: live, close: () => live.close() };
}
