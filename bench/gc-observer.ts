/**
 * Loaded with `node --import` into a gatehouse process the served benchmarks start (never
 * into a server otherwise): writes one line per garbage collection to stderr,
 * `gc <kind> <pause ms>`, so the bench can count the pauses that fell into a load run.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

new PerformanceObserver((list) => {
  let lines = '';
  for (const entry of list.getEntries()) lines += `gc ${KINDS[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? 'other'} ${entry.duration.toFixed(3)}\n`;
  process.stderr.write(lines);
}).observe({ entryTypes: ['gc'] });
