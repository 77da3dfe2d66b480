/**
 * The garbage collections the GC observer (gc-observer.ts) reported during a load run, and
 * the requests they held up: a request that a pause overlapped waited for it.
 */
import { quantile } from './figure.js';

export interface GcPauses {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** The share of requests that a pause overlapped. */
  readonly heldUp: number;
  /** The p99 latency of the requests that no pause overlapped. */
  readonly p99UnheldMs: number;
}

/**
 * The pauses the GC observer reported in `lines`, and which of the requests' `spans` (start,
 * end pairs, in ms since `spansFrom`, itself in ms since the epoch) they overlapped.
 */
export function gcPausesIn(lines: string, spansFrom: number, spans: readonly number[]): GcPauses {
  const pauses: { start: number; end: number }[] = [];
  for (const line of lines.split('\n')) {
    if (!line.startsWith('gc ')) continue;
    const [, , ms, start] = line.split(' ').map(Number);
    pauses.push({ start: start! - spansFrom, end: start! - spansFrom + ms! });
  }
  pauses.sort((a, b) => a.start - b.start);
  // Merged into disjoint stretches, so that only the last one to start before a request ended can overlap it.
  const stopped: { start: number; end: number }[] = [];
  for (const p of pauses) {
    const last = stopped.at(-1);
    if (last !== undefined && p.start <= last.end) last.end = Math.max(last.end, p.end);
    else stopped.push({ ...p });
  }
  const heldUp = (start: number, end: number) => {
    let lo = 0;
    let hi = stopped.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stopped[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && stopped[lo - 1]!.end > start;
  };
  const unheld: number[] = [];
  for (let i = 0; i < spans.length; i += 2) if (!heldUp(spans[i]!, spans[i + 1]!)) unheld.push(spans[i + 1]! - spans[i]!);
  unheld.sort((a, b) => a - b);
  const requests = spans.length / 2;
  return {
    count: pauses.length,
    totalMs: pauses.reduce((sum, p) => sum + p.end - p.start, 0),
    maxMs: pauses.reduce((max, p) => Math.max(max, p.end - p.start), 0),
    heldUp: requests === 0 ? 0 : (requests - unheld.length) / requests,
    p99UnheldMs: quantile(unheld, 0.99),
  };
}
