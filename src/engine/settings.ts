import type { Config } from '../config/types.js';
import type { BatchLimits } from './check-engine.js';
import type { ExpandSettings } from './expand-engine.js';
import type { CheckSettings } from './limits.js';

/** Keto's strict mode: `feature_flags.strict_mode` or the OPL namespaces' `experimental_strict_mode`. */
export function strictModeOf(config: Config): boolean {
  const ns = config.namespaces;
  const experimental = typeof ns === 'object' && !Array.isArray(ns) && ns.experimental_strict_mode === true;
  return config.feature_flags.strict_mode || experimental;
}

export const checkSettingsFrom = (config: Config): CheckSettings => ({
  maxReadDepth: config.limit.max_read_depth,
  maxReadWidth: config.limit.max_read_width,
  strictMode: strictModeOf(config),
});

export const expandSettingsFrom = (config: Config): ExpandSettings => ({
  maxReadDepth: config.limit.max_read_depth,
  maxExpandSize: config.limit.max_expand_size,
  strictMode: strictModeOf(config),
  expandRewrites: config.feature_flags.expand_rewrites,
});

export const batchLimitsFrom = (config: Config): BatchLimits => ({
  maxBatchCheckSize: config.limit.max_batch_check_size,
  maxParallelization: config.limit.batch_check_max_parallelization,
});
