import type { BatchLimits, CheckEngine } from '../engine/check-engine.js';
import type { ExpandEngine } from '../engine/expand-engine.js';
import type { LookupEngine } from '../engine/lookup-engine.js';
import type { ModelSnapshot } from '../model.js';
import type { RelationTuple } from '../tuple.js';

/** What a gatehouse instance runs on, over a database or in memory. */
export interface Engines {
  /** The model in force, for one call. */
  readonly model: () => ModelSnapshot;
  readonly checks: CheckEngine;
  readonly expands: ExpandEngine;
  readonly lookups: LookupEngine;
  readonly batchLimits: () => BatchLimits;
  /** Inserts and deletes tuples in one transaction (inserts first); all are refused when one is invalid. */
  write(insert: readonly RelationTuple[], remove: readonly RelationTuple[]): Promise<void>;
  close(): Promise<void>;
}

/** pino-compatible `(obj, msg)` logging of the namespace model and the index. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: EngineLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
