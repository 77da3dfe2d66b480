import { invalidArgument, unavailable } from '../errors.js';
import { type Consistency, DEFAULT_CONSISTENCY, type MaybePromise, type Readers } from '../reader.js';
import type { Snaptokens } from '../store/snaptoken.js';
import type { RestResponse } from './rest/route.js';

/** The REST response header (and gRPC response metadata key) that carries a snaptoken. */
export const SNAPTOKEN_HEADER = 'gatehouse-snaptoken';
/**
 * Longest a read waits for the data to reach the revision its snaptoken names (or, without
 * one, for the configured guarantee); past it the read fails with 503 / UNAVAILABLE.
 */
export const SNAPTOKEN_WAIT_MS = 5_000;
/** How often a read whose database has not reached its token yet asks again. */
const REVISION_POLL_MS = 50;

/** What a read request asks for: `snaptoken` (at least as fresh as it) or `latest` (every write committed before it). */
export interface RequestedConsistency {
  /** Empty or absent: none. */
  readonly snaptoken?: string | undefined;
  readonly latest?: boolean | undefined;
}

/** A read's revision, fixed before the engine runs. */
export interface PinnedRead {
  /** What to hand the engine: at least the revision the reader was opened at (it opens again without waiting). */
  readonly consistency: Consistency;
  /** The token of that revision; undefined when the reads have no revisions (a fixed set of tuples). */
  readonly snaptoken: string | undefined;
}

export interface ReadConsistency {
  /**
   * Opens a reader at the consistency asked for and notes the revision it reflects, at once
   * when nothing needs waiting for. invalid_argument for a token this database did not
   * issue; unavailable when the data does not reach the token's revision within the wait.
   */
  pin(requested: RequestedConsistency): MaybePromise<PinnedRead>;
}

export interface WriteTokens {
  /** The snaptoken of a committed write's revision. */
  tokenOf(revision: number): Promise<string>;
}

/** Reads without revisions: the configured guarantee, no token (engines over a fixed set of tuples). */
export const UNVERSIONED: ReadConsistency = { pin: () => ({ consistency: DEFAULT_CONSISTENCY, snaptoken: undefined }) };

export interface SnaptokenConsistencyDeps {
  /** The readers the request's engine reads from (the index's, or the store's). */
  readonly readers: Readers;
  readonly snaptokens: () => MaybePromise<Snaptokens>;
  /** Default SNAPTOKEN_WAIT_MS. */
  readonly waitMs?: number;
}

/**
 * Snaptokens over `readers`. A read is pinned by opening a reader at the requested
 * consistency (`at-least R` for a token, which needs no head probe once this process has
 * seen R) and taking `readers.revision()` right after: the answer reflects at least that
 * revision, and its token says so. A revision the database itself has not reached (a token
 * from before a restore) is polled for until the wait ends.
 */
export function snaptokenConsistency(deps: SnaptokenConsistencyDeps): ReadConsistency & WriteTokens {
  const waitMs = deps.waitMs ?? SNAPTOKEN_WAIT_MS;
  const pinnedAt = (tokens: Snaptokens, revision: number): PinnedRead => ({ consistency: { kind: 'at-least', revision }, snaptoken: tokens.issue(revision) });
  const reached = (consistency: Consistency, revision: number) => consistency.kind !== 'at-least' || revision >= consistency.revision;
  const pinWith = (tokens: Snaptokens, requested: RequestedConsistency): MaybePromise<PinnedRead> => {
    const named = requested.snaptoken === undefined || requested.snaptoken === '' ? undefined : tokens.read(requested.snaptoken).revision;
    const consistency: Consistency =
      requested.latest === true ? { kind: 'latest' } : named !== undefined ? { kind: 'at-least', revision: named } : DEFAULT_CONSISTENCY;
    const deadline = Date.now() + waitMs;
    const opened = deps.readers.open(consistency);
    // The revision is read once the reader is open: the answer reflects at least that one.
    const revision = opened instanceof Promise ? undefined : deps.readers.revision();
    if (typeof revision === 'number' && reached(consistency, revision)) return pinnedAt(tokens, revision);
    return pinLater(tokens, consistency, opened, revision, deadline);
  };
  const pinLater = async (
    tokens: Snaptokens,
    consistency: Consistency,
    opened: MaybePromise<unknown>,
    read: MaybePromise<number> | undefined,
    deadline: number,
  ): Promise<PinnedRead> => {
    await beforeDeadline(opened, deadline);
    let revision = await beforeDeadline(read ?? deps.readers.revision(), deadline);
    while (!reached(consistency, revision)) {
      const left = deadline - Date.now();
      if (left <= 0) throw notReached();
      await new Promise((resolve) => setTimeout(resolve, Math.min(REVISION_POLL_MS, left)));
      revision = await beforeDeadline(deps.readers.revision(), deadline);
    }
    return pinnedAt(tokens, revision);
  };
  return {
    pin(requested) {
      const tokens = deps.snaptokens();
      return tokens instanceof Promise ? tokens.then((t) => pinWith(t, requested)) : pinWith(tokens, requested);
    },
    async tokenOf(revision) {
      return (await deps.snaptokens()).issue(revision);
    },
  };
}

const notReached = () =>
  unavailable('The data has not reached the revision this read asks for (its snaptoken) in time; retry the request later');

/** `value`, or unavailable once the deadline passes first (the value's own failure, if it comes later, is dropped). */
async function beforeDeadline<T>(value: MaybePromise<T>, deadline: number): Promise<T> {
  if (!(value instanceof Promise)) return value;
  value.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(notReached()), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([value, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A REST answer with the Gatehouse-Snaptoken header added (unchanged without a token). Built
 * field by field: V8 copies `{ ...response, headers }` on its slow path (0.8 µs a check).
 */
export const withSnaptoken = (response: RestResponse, token: string | undefined): RestResponse =>
  token === undefined
    ? response
    : { status: response.status, body: response.body, headers: { ...response.headers, [SNAPTOKEN_HEADER]: token }, ...(response.stream && { stream: response.stream }) };

/** `snaptoken` and `latest` of a REST read's URL query. */
export function consistencyFromUrlQuery(query: URLSearchParams): RequestedConsistency {
  const latest = query.get('latest');
  return { snaptoken: query.get('snaptoken') ?? undefined, latest: latest === null ? undefined : parseBool('latest', latest) };
}

/** Go's strconv.ParseBool, the spelling Ory's query parameters accept. */
function parseBool(key: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw invalidArgument(`invalid value for query parameter "${key}": ${JSON.stringify(value)} is not a boolean`);
}
