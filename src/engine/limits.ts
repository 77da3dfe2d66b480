/** Keto's evaluation limits, with Keto's defaults (config keys `limit.*`). */

/** `limit.max_read_depth`: hops a check or expand may follow. */
export const DEFAULT_MAX_READ_DEPTH = 5;
/** `limit.max_read_width`: subject-set expansions followed per hop. */
export const DEFAULT_MAX_READ_WIDTH = 100;
/** `limit.max_batch_check_size`: tuples accepted by one BatchCheck. */
export const DEFAULT_MAX_BATCH_CHECK_SIZE = 10;
/** `limit.batch_check_max_parallelization`: checks of one batch evaluated at once. */
export const DEFAULT_BATCH_CHECK_MAX_PARALLELIZATION = 5;
/** `limit.max_expand_size`: nodes one Expand tree may hold. */
export const DEFAULT_MAX_EXPAND_SIZE = 4000;
/**
 * Steps along a single resolution path. Permit-to-permit hops consume no depth, so a
 * cyclic model is stopped by this budget (in every mode), never by the stack.
 */
export const MAX_CALL_STEPS = 1000;

/** The limits and mode a check runs under, taken from the configuration in force. */
export interface CheckSettings {
  readonly maxReadDepth: number;
  readonly maxReadWidth: number;
  /** `feature_flags.strict_mode` / `namespaces.experimental_strict_mode`. */
  readonly strictMode: boolean;
}

export const defaultCheckSettings: CheckSettings = {
  maxReadDepth: DEFAULT_MAX_READ_DEPTH,
  maxReadWidth: DEFAULT_MAX_READ_WIDTH,
  strictMode: false,
};

/** Keto's clamp: the request's depth unless it is ≤ 0 or above the global limit. */
export function clampDepth(requested: number | undefined, globalMax: number): number {
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0 || requested > globalMax) return globalMax;
  return Math.trunc(requested);
}
