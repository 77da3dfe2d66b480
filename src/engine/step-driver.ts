import type { CancelSignal } from '../cancellation.js';
import { nextTurn, SLICE_STEPS } from './slices.js';

/**
 * Expand's steps are generators. A step yields either a `Call` (run a child step and
 * send me its result) or a value obtained from the tuple source (a plain value, or a
 * Promise when the source answers asynchronously); it returns its own result.
 *
 * The driver keeps the chain of running steps on an explicit stack, so a deep tree never
 * recurses on the JS stack. A source that answers synchronously drives a whole expansion
 * without creating a single Promise, except that a long one pauses every `SLICE_STEPS`
 * steps to let the event loop serve other requests.
 */
export type Step<R> = Generator<unknown, R, unknown>;

export class Call<R = unknown> {
  constructor(readonly start: () => Step<R>) {}
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** One expansion's stack of running steps. */
export class StepStack {
  private readonly stack: Step<unknown>[] = [];

  /** Once `signal` is aborted, the run stops at its next pause (a read, or the end of a slice) and throws its reason. */
  constructor(private readonly signal?: CancelSignal) {}

  /** Runs `root` to completion: synchronously while the source answers synchronously (and the evaluation is short). */
  run<R>(root: Step<R>): R | Promise<R> {
    this.stack.push(root);
    return this.resume(undefined) as R | Promise<R>;
  }

  private resume(input: unknown, resumed = false): unknown {
    if (resumed) this.signal?.throwIfAborted();
    const stack = this.stack;
    for (let steps = 0; ; steps++) {
      if (steps === SLICE_STEPS) return nextTurn().then(() => this.resume(input, true));
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
        stack.push(effect.start());
        input = undefined;
        continue;
      }
      if (isThenable(effect)) return Promise.resolve(effect).then((value) => this.resume(value, true));
      input = effect;
    }
  }
}
