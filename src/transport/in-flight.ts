/** A request being served, as seen by shutdown: it can be told to answer "unavailable" now. */
export interface InFlightRequest {
  answerUnavailable(): void;
}

/**
 * The requests currently being served on all listeners, so that shutdown can wait for them
 * and answer those still running at the deadline.
 */
export class InFlight {
  #requests = new Set<InFlightRequest>();
  #idle: (() => void)[] = [];

  get size(): number {
    return this.#requests.size;
  }

  /** Returns the function that marks the request finished. */
  add(request: InFlightRequest): () => void {
    this.#requests.add(request);
    return () => {
      if (this.#requests.delete(request) && this.#requests.size === 0) {
        for (const wake of this.#idle.splice(0)) wake();
      }
    };
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#requests.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(wake);
    });
  }

  /** Answers every request still running with "unavailable"; returns how many there were. */
  answerAllUnavailable(): number {
    const remaining = [...this.#requests];
    for (const request of remaining) request.answerUnavailable();
    return remaining.length;
  }
}
