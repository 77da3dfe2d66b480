import type { Config } from '../config/types.js';
import { CheckEngine, type CheckObserver } from '../engine/check-engine.js';
import { ExpandEngine } from '../engine/expand-engine.js';
import { LookupEngine } from '../engine/lookup-engine.js';
import { batchLimitsFrom, checkSettingsFrom, expandSettingsFrom } from '../engine-settings.js';
import { readPathFromConfig, type ReadPath } from '../index/from-config.js';
import { NamespaceManager, type NamespaceFlags } from '../namespaces/manager.js';
import { openConfiguredStore } from '../store/from-config.js';
import type { SpanRunner } from '../store/sql/traced-driver.js';
import type { RelationTupleStore } from '../store/store.js';
import { requireKnownNamespaces } from '../transport/namespace-check.js';
import type { EngineLogger, Engines } from './engines.js';

/** The engines over a database, with the parts a server also serves and watches. */
export interface DatabaseEngines extends Engines {
  /** The store itself (its writes are not announced to the index: write through `readPath.store`). */
  readonly store: RelationTupleStore;
  readonly namespaces: NamespaceManager;
  readonly readPath: ReadPath;
}

export const namespaceFlagsFrom = (config: Config): NamespaceFlags => ({
  strictMode: config.feature_flags.strict_mode,
  typescriptPrecedence: config.feature_flags.typescript_precedence,
});

/**
 * The store the configuration names, its namespace model, the read path (the in-memory
 * index kept coherent by the changelog follower, or the database) and the engines over it.
 * Settings are read from `current()` at each use; reloading the model on a new `namespaces`
 * value is the caller's (`namespaces.reconfigure`).
 */
export async function openDatabase(
  current: () => Config,
  options: { migrate: boolean; logger: EngineLogger; spans?: SpanRunner; observer?: CheckObserver },
): Promise<DatabaseEngines> {
  const store = await openConfiguredStore(current, options.migrate, options.spans);
  let namespaces: NamespaceManager;
  try {
    namespaces = await NamespaceManager.create(current().namespaces, { logger: options.logger, flags: namespaceFlagsFrom(current()) });
  } catch (err) {
    await store.close();
    throw err;
  }
  const model = () => namespaces.inForce();
  const readPath = readPathFromConfig(current(), store, options.logger);
  const checks = new CheckEngine({ reads: readPath.reads, model, settings: () => checkSettingsFrom(current()), ...(options.observer && { observer: options.observer }) });
  return {
    store,
    namespaces,
    readPath,
    model,
    checks,
    expands: new ExpandEngine({ reads: readPath.reads, model, settings: () => expandSettingsFrom(current()) }),
    lookups: new LookupEngine({ reads: readPath.reads, model, checks }),
    batchLimits: () => batchLimitsFrom(current()),
    async write(insert, remove) {
      const snapshot = model();
      for (const tuple of [...insert, ...remove]) requireKnownNamespaces(snapshot, tuple);
      await readPath.store.transact(insert, remove);
    },
    async close() {
      await readPath.close();
      await namespaces.close();
      await store.close();
    },
  };
}
