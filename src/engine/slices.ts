/** Steps an evaluation runs before it lets the event loop turn. */
export const SLICE_STEPS = 20_000;

/** Resolves at the event loop's next check phase, after other requests' I/O. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
