import { GatehouseError } from '../errors.js';
import { MAX_CALL_STEPS } from './limits.js';

/**
 * Evaluation steps are generators. A step yields either a `Call` (run a child step and
 * send me its result) or a value obtained from the tuple source (a plain value, or a
 * Promise when the source answers asynchronously); it returns its own result.
 *
 * The driver keeps the chain of running steps on an explicit stack, so evaluation never
 * recurses on the JS stack, and the stack's height is exactly the length of the current
 * resolution path: Keto's per-path call budget. A source that answers synchronously
 * drives a whole evaluation without creating a single Promise, except that a long
 * evaluation pauses every `SLICE_STEPS` steps to let the event loop serve other requests
 * (a check over cyclic traverses can take millions of steps, as it would in Keto).
 */
export type Step<R> = Generator<unknown, R, unknown>;

export class Call<R = unknown> {
  constructor(readonly start: () => Step<R>) {}
}

export const callBudgetExceeded = (): GatehouseError =>
  new GatehouseError(
    'unprocessable',
    'The check could not be completed',
    'The check was aborted after too many resolution steps. This usually indicates a cyclic permit reference in the namespace configuration.',
  );

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Steps run before an evaluation lets the event loop turn. */
export const SLICE_STEPS = 20_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One evaluation's stack of running steps. A step that does a leaf's work itself (a
 * lookup that would otherwise be a child step) asks `enterLeaf` first, so that the
 * call budget counts it exactly as if it had been started through a `Call`.
 */
export class StepStack {
  private readonly stack: Step<unknown>[] = [];

  /** A path longer than `maxPath` steps fails with Keto's call-budget error (Expand, bounded by depth and size, passes Infinity). */
  constructor(private readonly maxPath = MAX_CALL_STEPS) {}

  /** Throws the call-budget error when a child of the running step would exceed the budget. */
  enterLeaf(): void {
    if (this.stack.length >= this.maxPath) throw callBudgetExceeded();
  }

  /** Runs `root` to completion: synchronously while the source answers synchronously (and the evaluation is short). */
  run<R>(root: Step<R>): R | Promise<R> {
    this.stack.push(root);
    return this.resume(undefined) as R | Promise<R>;
  }

  private resume(input: unknown): unknown {
    const stack = this.stack;
    for (let steps = 0; ; steps++) {
      if (steps === SLICE_STEPS) return nextTurn().then(() => this.resume(input));
      const top = stack[stack.length - 1] as Step<unknown>;
      const next = top.next(input);
      if (next.done === true) {
        stack.pop();
        if (stack.length === 0) return next.value;
        input = next.value;
        continue;
      }
      const effect = next.value;
      if (effect instanceof Call) {
        this.enterLeaf();
        stack.push(effect.start());
        input = undefined;
        continue;
      }
      if (isThenable(effect)) return Promise.resolve(effect).then((value) => this.resume(value));
      input = effect;
    }
  }
}
