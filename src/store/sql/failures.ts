import { GatehouseError, unavailable } from '../../errors.js';

/**
 * How a driver error is to be treated. `timeout`: a statement ran past the statement timeout
 * (cancelled by the server, or abandoned by the client when the server stopped answering).
 */
export type FailureClass = 'transient' | 'unreachable' | 'timeout' | 'unmigrated' | 'other';

const NOT_MIGRATED = 'The database schema is not migrated: run "gatehouse migrate up"';
const UNREACHABLE = 'The database is unavailable';
const TIMED_OUT = 'The database did not answer in time';

/** The GatehouseError a client sees for a driver error: never its SQL, host or DSN. */
export function toGatehouseError(error: unknown, failure: FailureClass): GatehouseError {
  if (error instanceof GatehouseError) return error;
  switch (failure) {
    case 'unmigrated':
      return unavailable(NOT_MIGRATED, error);
    case 'unreachable':
      return unavailable(UNREACHABLE, error);
    case 'timeout':
      return unavailable(TIMED_OUT, error);
    case 'transient':
      return unavailable('The database stayed busy: try again', error);
    case 'other': {
      // The driver's error code (never its message, which may quote SQL or values) says what happened.
      const code = errorCode(error);
      return new GatehouseError('internal', `The database failed to answer${code === undefined ? '' : ` (${code})`}`, undefined, { cause: error });
    }
  }
}

/** Error codes of Node's socket layer that mean the server cannot be reached. */
export const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

export const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The longest pause between two attempts of a transaction. */
const MAX_BACKOFF_MS = 250;

/**
 * Runs `attempt` and again while it fails transiently, at most `retries` more times (read
 * after each failure when a function), with a short jittered backoff.
 */
export async function withRetries<T>(
  retries: number | (() => number),
  classify: (error: unknown) => FailureClass,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const failure = error instanceof GatehouseError ? 'other' : classify(error);
      const budget = typeof retries === 'function' ? retries() : retries;
      if (failure !== 'transient' || tries >= budget) throw toGatehouseError(error, failure);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_BACKOFF_MS, 10 * 2 ** tries)));
    }
  }
}

/** Maps a non-transaction driver failure. */
export async function mapped<T>(classify: (error: unknown) => FailureClass, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toGatehouseError(error, classify(error));
  }
}

/** The code of the error a statement abandoned by `withinDeadline` rejects with. */
export const DEADLINE_PASSED = 'GATEHOUSE_STATEMENT_TIMEOUT';

/**
 * `run`, or a DEADLINE_PASSED error once `ms` passed (0: no deadline). At the deadline
 * `abandon` is called, which must free what the statement holds (close its connection).
 */
export function withinDeadline<T>(run: Promise<T>, ms: number, abandon: () => void): Promise<T> {
  if (!(ms > 0)) return run;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      abandon();
      reject(Object.assign(new Error('the statement did not finish within the statement timeout'), { code: DEADLINE_PASSED }));
    }, ms);
    run.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
