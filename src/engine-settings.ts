import type { Config } from './config/types.js';
import { strictModeOf } from './namespaces/strict-mode.js';
import type { BatchLimits } from './engine/check-engine.js';
import type { ExpandSettings } from './engine/expand-engine.js';
import type { CheckSettings } from './engine/limits.js';
import type { ScenarioSettings } from './scenario/scenario.js';

/** The engines' settings, read from the configuration in force (the engine itself knows no configuration). */

const strictMode = (config: Config): boolean => strictModeOf(config.feature_flags.strict_mode, config.namespaces);

export const checkSettingsFrom = (config: Config): CheckSettings => ({
  maxReadDepth: config.limit.max_read_depth,
  maxReadWidth: config.limit.max_read_width,
  strictMode: strictMode(config),
});

export const expandSettingsFrom = (config: Config): ExpandSettings => ({
  maxReadDepth: config.limit.max_read_depth,
  maxExpandSize: config.limit.max_expand_size,
  strictMode: strictMode(config),
  expandRewrites: config.feature_flags.expand_rewrites,
});

export const batchLimitsFrom = (config: Config): BatchLimits => ({
  maxBatchCheckSize: config.limit.max_batch_check_size,
  maxParallelization: config.limit.batch_check_max_parallelization,
});

/** The playground's sandbox runs under the server's limits and flags. */
export const scenarioSettingsFrom = (config: Config): ScenarioSettings => ({
  ...checkSettingsFrom(config),
  ...expandSettingsFrom(config),
  typescriptPrecedence: config.feature_flags.typescript_precedence,
});
