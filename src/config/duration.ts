/** Durations are written as in Ory's configs: a sequence of number+unit, e.g. "250ms", "5s", "1m30s", "1h". */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds in a duration string, or undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (text.length === 0) return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const match = TERM.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}

export function isDuration(text: string): boolean {
  return parseDurationMs(text) !== undefined;
}

/** Milliseconds in a duration taken from a validated Config. */
export function durationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new TypeError(`not a duration: ${JSON.stringify(text)}`);
  return ms;
}
