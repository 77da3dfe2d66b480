/**
 * Loaded with `node --import` into a gatehouse process the served benchmarks start (never
 * into a server otherwise): writes one line per garbage collection to stderr,
 * `gc <kind> <pause ms> <start, ms since the epoch>`, so the bench can count the pauses that
 * fell into a load run and tell which requests they held up.
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
  for (const entry of list.getEntries()) {
    const kind = KINDS[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
    lines += `gc ${kind} ${entry.duration.toFixed(3)} ${(performance.timeOrigin + entry.startTime).toFixed(3)}\n`;
  }
  process.stderr.write(lines);
}).observe({ entryTypes: ['gc'] });
