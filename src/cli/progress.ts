/**
 * A progress line on stderr, drawn only when stderr is a terminal (never into pipes or
 * logs) and redrawn at most ten times a second.
 */
import type { CliIo } from './io.js';

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export interface Progress {
  /** `done` units so far; `fraction` (0..1) of the whole when known, otherwise derived from the total. */
  update(done: number, fraction?: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

const silent: Progress = { update() {}, finish() {} };

export function progress(io: CliIo, unit: string, total?: number): Progress {
  if (!io.interactiveErr) return silent;
  const started = Date.now();
  let lastDraw = 0;
  let done = 0;
  let fraction: number | undefined;
  let drawn = false;
  const draw = () => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = Math.round(done / seconds);
    const counts = `${done.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''} ${unit}`;
    let bar = '';
    const share = fraction ?? (total ? done / total : undefined);
    if (share !== undefined) {
      const clamped = Math.min(Math.max(share, 0), 1);
      const filled = Math.round(clamped * BAR_WIDTH);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(clamped * 100)).padStart(3)}% `;
    }
    io.err(`\r\x1b[2K${bar}${counts}, ${rate.toLocaleString('en-US')}/s`);
    drawn = true;
  };
  return {
    update(value, share) {
      done = value;
      if (share !== undefined) fraction = share;
      const now = Date.now();
      if (now - lastDraw >= REDRAW_MS) {
        lastDraw = now;
        draw();
      }
    },
    finish() {
      draw();
      if (drawn) io.err('\n');
    },
  };
}
