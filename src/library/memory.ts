import type { Config } from '../config/types.js';
import { CheckEngine } from '../engine/check-engine.js';
import { ExpandEngine } from '../engine/expand-engine.js';
import { LookupEngine } from '../engine/lookup-engine.js';
import { batchLimitsFrom, checkSettingsFrom, expandSettingsFrom } from '../engine-settings.js';
import { invalidArgument } from '../errors.js';
import { TupleIndex } from '../index/tuple-index.js';
import { createSnapshot, type NamespaceSnapshot } from '../namespaces/snapshot.js';
import { strictModeOf } from '../namespaces/strict-mode.js';
import { compileOpl } from '../opl/compile.js';
import { placeDiagnostics } from '../opl/report.js';
import { currentReads } from '../reader.js';
import { checkStorableTuple } from '../store/limits.js';
import { requireKnownNamespaces } from '../transport/namespace-check.js';
import type { RelationTuple } from '../tuple.js';
import type { Engines } from './engines.js';

/** At most this many OPL errors are spelled out in the message of a model that does not compile. */
const ERRORS_IN_MESSAGE = 10;

/** The model of OPL text, or invalid_argument naming each error's line and column. */
export function compiledModel(opl: string, config: Config): NamespaceSnapshot {
  const result = compileOpl(opl, { typescriptPrecedence: config.feature_flags.typescript_precedence });
  if (result.errors.length > 0) {
    const placed = placeDiagnostics(opl, result.errors.slice(0, ERRORS_IN_MESSAGE));
    const lines = placed.map((d) => `  ${d.line}:${d.column}: ${d.message}`).join('\n');
    throw invalidArgument(`the OPL model has ${result.errors.length} error(s):\n${lines}`);
  }
  return createSnapshot(result.namespaces, strictModeOf(config.feature_flags.strict_mode, config.namespaces));
}

/** A tuple the model and the database schema accept, or the error a server would answer. */
function requireValid(model: NamespaceSnapshot, tuple: RelationTuple): void {
  requireKnownNamespaces(model, tuple);
  checkStorableTuple(tuple);
}

/**
 * The engines over tuples held in this process alone (the index a server keeps in front of
 * its database, with nothing behind it): checks answer synchronously inside, and every
 * write is seen by the next read.
 */
export function memoryEngines(config: Config, model: NamespaceSnapshot, tuples: Iterable<RelationTuple>): Engines {
  const index = new TupleIndex();
  for (const tuple of tuples) {
    requireValid(model, tuple);
    index.insert(tuple);
  }
  index.compact();
  const reads = currentReads(index);
  const snapshot = () => model;
  const checkSettings = checkSettingsFrom(config);
  const expandSettings = expandSettingsFrom(config);
  const batchLimits = batchLimitsFrom(config);
  const checks = new CheckEngine({ reads, model: snapshot, settings: () => checkSettings });
  return {
    model: snapshot,
    checks,
    expands: new ExpandEngine({ reads, model: snapshot, settings: () => expandSettings }),
    lookups: new LookupEngine({ reads, model: snapshot, checks }),
    batchLimits: () => batchLimits,
    async write(insert, remove) {
      for (const tuple of [...insert, ...remove]) requireValid(model, tuple);
      for (const tuple of insert) index.insert(tuple);
      for (const tuple of remove) index.delete(tuple);
    },
    close: async () => undefined,
  };
}
