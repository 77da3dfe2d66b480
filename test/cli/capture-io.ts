/** A CliIo whose output is captured in strings, for running commands in-process. */
import { PassThrough, Readable } from 'node:stream';
import { cliIo, type CliIo } from '../../src/cli/io.js';

export interface CapturedIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
}

export function captureIo(options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {}): CapturedIo {
  let out = '';
  let err = '';
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const io = cliIo({ stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]), stdout, stderr, env: options.env ?? {} });
  return { ...io, stdoutText: () => out, stderrText: () => err };
}
