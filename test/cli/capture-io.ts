/** A CliIo whose output is captured in strings, for running commands in-process. */
import { PassThrough, Readable } from 'node:stream';
import { cliIo, type CliIo } from '../../src/cli/io.js';

export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
  /** What Ctrl-C would do. */
  interrupt(): void;
}

export function captureIo(
  options: { stdin?: string; stdinStream?: Readable; env?: Record<string, string>; tty?: boolean } = {},
): CapturedIo {
  let out = '';
  let err = '';
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const handlers = new Set<() => void>();
  const onInterrupt = (handler: () => void) => {
    handlers.add(handler);
    return () => void handlers.delete(handler);
  };
  const stdin = options.stdinStream ?? Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const io = cliIo({ stdin, stdout, stderr, env: options.env ?? {}, onInterrupt });
  return { ...io, stdoutText: () => out, stderrText: () => err, interrupt: () => [...handlers].forEach((h) => h()) };
}
