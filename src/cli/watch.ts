/**
 * `gatehouse watch [--snaptoken T]`: every committed change of the relation tuples, printed
 * as it arrives (gatehouse.v1.WatchService/Watch). When the stream breaks or the server
 * stops, the command connects again and resumes right after the last change it printed, so
 * each change is printed exactly once, in commit order. Ctrl-C ends it.
 */
import { tupleToKeto } from '../api/keto-json.js';
import { tupleFromProto } from '../api/proto.js';
import { formatTuple } from '../api/tuple-string.js';
import type { KetoClient } from '../client/keto.js';
import { GrpcCallError } from '../client/status.js';
import { GrpcCode } from '../grpc-code.js';
import { runCommand, type CommandSpec } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatFlags, outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { printText, type Format } from './output.js';
import { connect, type Remote, REMOTE_FLAGS, resolveRemote } from './remote.js';
import type { ParsedArgs } from './flags.js';

/** The wait before the first attempt to reconnect; it doubles up to the maximum while the server stays away. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

export const watchCommand: CommandSpec = {
  path: 'watch',
  summary: 'Print every change of the relation tuples as it is committed',
  description:
    'Print every change of the relation tuples as it is committed, in commit order: "insert" or "delete" and the tuple,\n' +
    'or with --format json one JSON object per line: {"action", "relation_tuple", "snaptoken"}.\n' +
    'Starts after --snaptoken (a token from a write, a read or an earlier change), else from now.\n' +
    'A lost connection is resumed by itself after the last change printed: no change is missed or printed twice.\n' +
    'Runs until Ctrl-C.',
  examples: ['gatehouse watch --insecure-disable-transport-security', 'gatehouse watch --snaptoken "$TOKEN" --format json'],
  flags: [
    ...REMOTE_FLAGS,
    ...formatFlags('default'),
    { name: 'snaptoken', kind: 'string', description: 'Start right after the position this snaptoken names (default: from now).' },
  ],
  minArgs: 0,
  maxArgs: 0,
  async action({ args, io }) {
    const format = outputFormat(args);
    const stop = new AbortController();
    const stopListening = io.onInterrupt(() => stop.abort());
    // Resolved once: its notices (a fallback, an http URL) are printed once, not on every reconnect.
    const remote = await resolveRemote('read', args, io);
    let client: KetoClient | undefined = await connect('read', args, io, remote);
    try {
      // "From now" is pinned to a token before the first call, so a stream lost before its first change misses nothing either.
      let position = args.string('snaptoken') || ((await client.currentSnaptoken()) ?? '');
      for (;;) {
        let lost: string;
        try {
          for await (const change of client.watch({ snaptoken: position }, stop.signal)) {
            printChange(io, format, change);
            position = change.snaptoken;
          }
          lost = 'the server ended the stream';
        } catch (err) {
          if (stop.signal.aborted) return EXIT.interrupted;
          if (!unreachable(err)) throw err;
          lost = (err as GrpcCallError).details;
        }
        io.err(`watch: ${lost}; resuming after the last change seen\n`);
        client.close();
        client = await reconnect(args, io, remote, stop.signal);
        if (client === undefined) return EXIT.interrupted;
      }
    } finally {
      stopListening();
      client?.close();
    }
  },
};

function printChange(io: CliIo, format: Format, change: { action: string; relationTuple: unknown; snaptoken: string }): void {
  const action = change.action === 'ACTION_DELETE' ? 'delete' : 'insert';
  const tuple = tupleFromProto(change.relationTuple);
  if (format.kind === 'yaml') io.out('---\n');
  printText(io, format, {
    text: `${action} ${formatTuple(tuple)}\n`,
    data: { action, relation_tuple: tupleToKeto(tuple), snaptoken: change.snaptoken },
  });
}

/** The server went away (a broken connection, a refused one, a server stopping): worth resuming. */
const unreachable = (err: unknown): boolean =>
  err instanceof GrpcCallError && (err.code === GrpcCode.UNAVAILABLE || err.code === GrpcCode.DEADLINE_EXCEEDED);

/** A new client once the server accepts a connection again (waiting longer after each refusal); undefined after Ctrl-C. */
async function reconnect(args: ParsedArgs, io: CliIo, remote: Remote, signal: AbortSignal): Promise<KetoClient | undefined> {
  for (let waitMs = FIRST_RETRY_MS; ; waitMs = Math.min(waitMs * 2, MAX_RETRY_MS)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
    if (signal.aborted) return undefined;
    try {
      return await connect('read', args, io, remote);
    } catch (err) {
      if (!unreachable(err)) throw err;
    }
  }
}

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(watchCommand, argv, io);
