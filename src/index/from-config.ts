import { durationMs } from '../config/duration.js';
import type { Config } from '../config/types.js';
import { CheckEngine, type CheckEngineDeps } from '../engine/check-engine.js';
import { ExpandEngine, type ExpandEngineDeps } from '../engine/expand-engine.js';
import type { TupleSource } from '../engine/source.js';
import type { RelationTupleStore } from '../store/store.js';
import { FreshCheckEngine, FreshExpandEngine } from './fresh-engines.js';
import { LiveIndex, type LiveIndexOptions } from './live-index.js';

/** How reads reach the tuples: through the in-memory index (`index.enabled`), or straight to the database. */
export interface ReadPath {
  /** The engines' tuple source. */
  readonly source: TupleSource;
  /** The store to write through (each write announced to the index followers). */
  readonly store: RelationTupleStore;
  checkEngine(deps: Omit<CheckEngineDeps, 'source'>): CheckEngine;
  expandEngine(deps: Omit<ExpandEngineDeps, 'source'>): ExpandEngine;
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
    return {
      source: store,
      store,
      checkEngine: (deps) => new CheckEngine({ ...deps, source: store }),
      expandEngine: (deps) => new ExpandEngine({ ...deps, source: store }),
      index: undefined,
      close: async () => undefined,
    };
  }
  const live = new LiveIndex({
    store,
    dsn: config.dsn,
    memoryBudgetBytes: config.index.memory_budget,
    maxStalenessMs: durationMs(config.index.max_staleness),
    ...(log ? { log } : {}),
  });
  void live.start();
  return {
    source: live.source,
    store: live.store,
    checkEngine: (deps) => new FreshCheckEngine({ ...deps, source: live.source }, live.gate),
    expandEngine: (deps) => new FreshExpandEngine({ ...deps, source: live.source }, live.gate),
    index: live,
    close: () => live.close(),
  };
}
