/**
 * Size and seed of the fuzz runs. Every test is bounded by a request count, never by a clock.
 *   GATEHOUSE_FUZZ_RUNS=10   ten times the default number of generated inputs (nightly)
 *   GATEHOUSE_FUZZ_SEED=42   replays the run a failure reported
 */
export const FUZZ_SCALE = positive(process.env.GATEHOUSE_FUZZ_RUNS, 1);
export const FUZZ_SEED = process.env.GATEHOUSE_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.GATEHOUSE_FUZZ_SEED);

/** `base` inputs per default run, times the scale. */
export const runs = (base: number): number => Math.max(1, Math.round(base * FUZZ_SCALE));

function positive(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`GATEHOUSE_FUZZ_RUNS must be a positive number, got ${raw}`);
  return n;
}
