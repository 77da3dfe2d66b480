/**
 * Where a command reads and writes. Commands never touch `process` directly, so tests run
 * them in-process with captured streams.
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Colour on stdout: it is a terminal and NO_COLOR is unset. */
  readonly colourOut: boolean;
  /** Colour on stderr: it is a terminal and NO_COLOR is unset. */
  readonly colourErr: boolean;
  /** stderr is a terminal: progress bars may be drawn there. */
  readonly interactiveErr: boolean;
  out(text: string): void;
  err(text: string): void;
  /**
   * Calls `handler` on the next Ctrl-C (SIGINT) instead of exiting; a second Ctrl-C exits
   * as usual. Returns the function that removes the handler.
   */
  onInterrupt(handler: () => void): () => void;
}

export interface CliIoStreams {
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onInterrupt: (handler: () => void) => () => void;
}

export function cliIo(streams: CliIoStreams): CliIo {
  const noColour = streams.env.NO_COLOR !== undefined && streams.env.NO_COLOR !== '';
  return {
    stdin: streams.stdin,
    stdout: streams.stdout,
    stderr: streams.stderr,
    env: streams.env,
    colourOut: !noColour && streams.stdout.isTTY === true,
    colourErr: !noColour && streams.stderr.isTTY === true,
    interactiveErr: streams.stderr.isTTY === true,
    out: (text) => void streams.stdout.write(text),
    err: (text) => void streams.stderr.write(text),
    onInterrupt: streams.onInterrupt,
  };
}

function onProcessInterrupt(handler: () => void): () => void {
  process.once('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}

export const processIo = (): CliIo =>
  cliIo({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, onInterrupt: onProcessInterrupt });

/** Resolves once `stream` accepts more data; use between large writes to keep memory flat. */
export function drained(stream: Writable): Promise<void> {
  if (!stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      stream.off('drain', onDrain);
      reject(err);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Resolves once everything written to `stream` so far has been handed to the operating system. */
export function flushed(stream: Writable): Promise<void> {
  if (stream.writableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
