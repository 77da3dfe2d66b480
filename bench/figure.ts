/**
 * The one line format every benchmark part prints for each figure it measured, read back
 * by bench/index.ts to build the table and the JSON summary.
 */
export interface Figure {
  readonly part: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Free text: the comparison this figure is judged by, e.g. "≤ 2 µs". */
  readonly target?: string;
  /** Whether the target is met, when this figure alone decides it. */
  readonly met?: boolean;
}

const PREFIX = 'FIGURE ';

export function printFigure(f: Figure): void {
  process.stdout.write(`${PREFIX}${JSON.stringify(f)}\n`);
}

export function parseFigures(output: string): Figure[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(PREFIX))
    .map((line) => JSON.parse(line.slice(PREFIX.length)) as Figure);
}

/** The q-quantile (0..1) of ascending `sorted`. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Heap plus array buffers after a full collection (needs --expose-gc). */
export function settledMemory(): { heap: number; arrayBuffers: number; rss: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
}
