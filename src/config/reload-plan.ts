import { isTree, type Tree } from './merge.js';
import type { Config } from './types.js';

/**
 * Keys read once at start-up (listeners, the database pool, the index, the log sink).
 * A change to one of them, or to anything below it, waits for a restart.
 */
export const RESTART_REQUIRED: readonly string[] = [
  'dsn',
  'serve.read',
  'serve.write',
  'serve.metrics',
  'serve.opl',
  'serve.playground',
  'database',
  'index.enabled',
  'index.memory_budget',
  'index.max_staleness',
  'index.freshness_timeout',
  'log.format',
  'profiling',
  'tracing',
];

/** Keys below a restart-only key that apply at once: a listener's preshared keys (rotation without a restart). */
const LIVE_BELOW_RESTART = /^serve\.(read|write|metrics|opl)\.auth\.preshared_keys(\.|$)/;

export function needsRestart(key: string): boolean {
  if (LIVE_BELOW_RESTART.test(key)) return false;
  return RESTART_REQUIRED.some((prefix) => key === prefix || key.startsWith(`${prefix}.`));
}

/** Dotted keys whose values differ; lists compare as a whole. */
export function changedKeys(before: unknown, after: unknown, prefix = ''): string[] {
  if (isTree(before) && isTree(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changedKeys(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

export interface ReloadPlan {
  /** The new configuration with every restart-only key kept at its running value. */
  config: Tree;
  applied: string[];
  restartRequired: string[];
}

export function planReload(running: Config, next: Config): ReloadPlan {
  const changed = changedKeys(running, next);
  const restartRequired = changed.filter(needsRestart);
  const config = structuredClone(next) as unknown as Tree;
  for (const key of restartRequired) copyKey(running as unknown as Tree, config, key.split('.'));
  return { config, applied: changed.filter((key) => !needsRestart(key)), restartRequired };
}

function copyKey(from: Tree, to: Tree, path: readonly string[]): void {
  let source: unknown = from;
  let target = to;
  for (const segment of path.slice(0, -1)) {
    source = isTree(source) ? source[segment] : undefined;
    if (!isTree(target[segment])) target[segment] = {};
    target = target[segment] as Tree;
  }
  const last = path[path.length - 1]!;
  const value = isTree(source) ? source[last] : undefined;
  if (value === undefined) delete target[last];
  else target[last] = structuredClone(value);
}
