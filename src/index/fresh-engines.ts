import { CheckEngine, type CheckEngineDeps } from '../engine/check-engine.js';
import { ExpandEngine, type ExpandEngineDeps } from '../engine/expand-engine.js';
import type { MaybePromise } from '../engine/source.js';
import type { FreshnessGate } from './freshness-gate.js';

/** The check engine, each request first let through the freshness gate of the index. */
export class FreshCheckEngine extends CheckEngine {
  constructor(
    deps: CheckEngineDeps,
    private readonly gate: FreshnessGate,
  ) {
    super(deps);
  }

  override check(...args: Parameters<CheckEngine['check']>): MaybePromise<boolean> {
    const wait = this.gate.ready();
    return wait === undefined ? super.check(...args) : wait.then(() => super.check(...args));
  }

  override async batchCheck(...args: Parameters<CheckEngine['batchCheck']>): ReturnType<CheckEngine['batchCheck']> {
    await this.gate.ready();
    return super.batchCheck(...args);
  }
}

/** The expand engine, each request first let through the freshness gate of the index. */
export class FreshExpandEngine extends ExpandEngine {
  constructor(
    deps: ExpandEngineDeps,
    private readonly gate: FreshnessGate,
  ) {
    super(deps);
  }

  override expand(...args: Parameters<ExpandEngine['expand']>): ReturnType<ExpandEngine['expand']> {
    const wait = this.gate.ready();
    return wait === undefined ? super.expand(...args) : wait.then(() => super.expand(...args));
  }
}
