/**
 * What stops a request's work early, as the engines read it: at each pause they ask whether
 * to go on. An AbortSignal fits; a served request uses `Cancellation`, a plain object, since
 * nothing listens for the abort: an AbortController per request also allocated an event
 * target, its listener map and a listener, on every check.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  /** Throws the reason the work was stopped with, once it was. */
  throwIfAborted(): void;
}

export class Cancellation implements CancelSignal {
  #reason: unknown;
  aborted = false;

  /** Only the first reason counts. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.#reason = reason;
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.#reason;
  }
}
