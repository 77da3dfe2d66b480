/**
 * `relation-tuple import FILE|-` (gatehouse): streams a large input of tuples (JSON lines,
 * or the text form `ns:obj#rel@subject` per line) into the server in transactions of
 * `--batch-size`, with a few in flight at once. Memory stays flat whatever the size.
 * Resumable: `--resume-from N` skips the first N lines; `--progress-file` records how far
 * it got after every transaction and picks up from there on the next run.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { tupleToProto } from '../../api/proto.js';
import type { RelationTuple } from '../../tuple.js';
import type { KetoClient } from '../../client/keto.js';
import { CommandFailure, describeFailure, type CommandSpec } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { UsageError, type ParsedArgs } from '../flags.js';
import { outputFormat } from '../format-flags.js';
import type { CliIo } from '../io.js';
import { linesOf } from '../lines.js';
import { printText } from '../output.js';
import { progress } from '../progress.js';
import { withClient } from '../remote.js';
import { tupleFromJsonValue, tupleFromTextLine } from '../tuple-files.js';
import { ImportWatermark, readProgressFile, removeProgressFile } from './import-progress.js';
import { PACKAGE_FLAGS } from './package-flags.js';

type InputFormat = 'jsonl' | 'text';

const MAX_BATCH_SIZE = 100_000;
const MAX_CONCURRENCY = 16;

export const importCommand: CommandSpec = {
  path: 'relation-tuple import',
  synopsis: '<file|->',
  summary: 'Stream a large file of tuples into the server in batches, resumably (gatehouse)',
  description:
    'Stream tuples from a file (or - for stdin) into the server in transactions of --batch-size tuples.\n' +
    'The input is JSON lines (one Keto JSON tuple per line, as `relation-tuple export` writes) or the text form\n' +
    '(`namespace:object#relation@subject` per line, `//` comments and blank lines ignored); --input-format auto\n' +
    'decides by the first tuple line. Memory use does not grow with the input.\n\n' +
    'Resuming: --resume-from N skips the first N lines. With --progress-file, the number of lines fully written\n' +
    'is saved after every transaction; running the same command again continues from there, and the file is\n' +
    'removed when the import completes. Delivery is at least once: a transaction that was written just before\n' +
    'a crash, but not yet recorded, is written again on resume (the server keeps duplicate tuples, as Keto does).',
  examples: [
    'gatehouse relation-tuple import tuples.jsonl --insecure-disable-transport-security',
    'gatehouse relation-tuple import tuples.txt --progress-file tuples.progress --batch-size 5000',
    'gatehouse relation-tuple export --read-remote old:4466 | gatehouse relation-tuple import - --write-remote new:4467',
    'gatehouse relation-tuple import tuples.jsonl --resume-from 120000',
  ],
  flags: [
    ...PACKAGE_FLAGS,
    { name: 'input-format', kind: 'string', default: 'auto', description: 'auto, jsonl or text' },
    { name: 'batch-size', kind: 'int', default: 1000, description: 'tuples per transaction' },
    { name: 'concurrency', kind: 'int', default: 4, description: 'transactions in flight at once' },
    { name: 'resume-from', kind: 'int', default: 0, description: 'skip the first N lines of the input (already imported)' },
    { name: 'progress-file', kind: 'string', description: 'record progress here after every transaction, and resume from it' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async action({ args, io }) {
    const input = args.positionals[0]!;
    const settings = importSettings(args);
    const format = outputFormat(args);
    let resumeFrom = args.int('resume-from');
    let tuplesBefore = 0;
    const progressFile = args.changed.has('progress-file') ? args.string('progress-file') : undefined;
    if (progressFile !== undefined && !args.changed.has('resume-from')) {
      const saved = await readProgressFile(progressFile);
      if (saved) {
        resumeFrom = saved.line;
        tuplesBefore = saved.tuples;
        io.err(`Resuming after line ${saved.line} (${saved.tuples} tuples already imported, from ${progressFile}).\n`);
      }
    }
    if (resumeFrom < 0) throw new UsageError('--resume-from must not be negative');

    const totalBytes = input === '-' ? undefined : await inputSize(input);
    const stream: Readable & { bytesRead?: number } = input === '-' ? io.stdin : createReadStream(input);
    const watermark = new ImportWatermark(resumeFrom, tuplesBefore, input, progressFile);
    const result = await withClient('write', args, io, (client) =>
      importLines(client, linesOf(stream), { ...settings, resumeFrom, io, watermark, totalBytes, stream }),
    );
    if (progressFile !== undefined) await removeProgressFile(progressFile);
    printText(io, format, {
      text: `Imported ${result.tuples} tuples from ${result.lines} lines${resumeFrom ? ` (resumed after line ${resumeFrom})` : ''}.\n`,
      data: { imported_tuples: result.tuples, lines: result.lines, resumed_after_line: resumeFrom },
    });
  },
};

function importSettings(args: ParsedArgs): { batchSize: number; concurrency: number; inputFormat: InputFormat | 'auto' } {
  const batchSize = args.int('batch-size');
  const concurrency = args.int('concurrency');
  const inputFormat = args.string('input-format');
  if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) throw new UsageError(`--batch-size must be between 1 and ${MAX_BATCH_SIZE}`);
  if (concurrency < 1 || concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency must be between 1 and ${MAX_CONCURRENCY}`);
  if (inputFormat !== 'auto' && inputFormat !== 'jsonl' && inputFormat !== 'text') {
    throw new UsageError(`--input-format must be auto, jsonl or text, not ${JSON.stringify(inputFormat)}`);
  }
  return { batchSize, concurrency, inputFormat };
}

async function inputSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new CommandFailure(`error getting stats for ${path}: ${(err as Error).message}`, 'check the input path');
  }
}

interface ImportRun {
  readonly batchSize: number;
  readonly concurrency: number;
  readonly inputFormat: InputFormat | 'auto';
  readonly resumeFrom: number;
  readonly io: CliIo;
  readonly watermark: ImportWatermark;
  readonly totalBytes: number | undefined;
  readonly stream: { bytesRead?: number };
}

async function importLines(
  client: KetoClient,
  lines: AsyncIterable<string>,
  run: ImportRun,
): Promise<{ tuples: number; lines: number }> {
  const { watermark, io } = run;
  const bar = progress(io, 'tuples');
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let format: InputFormat | undefined = run.inputFormat === 'auto' ? undefined : run.inputFormat;
  let lineNo = 0;
  let batch: RelationTuple[] = [];
  let written = 0;

  const send = (tuples: RelationTuple[], endLine: number) => {
    const seq = watermark.issue();
    const request = {
      relationTupleDeltas: tuples.map((t) => ({ action: 'ACTION_INSERT', relationTuple: tupleToProto(t) })),
    };
    const call: Promise<void> = client.transactRelationTuples(request).then(
      () => {
        watermark.settle(seq, endLine, tuples.length);
        written += tuples.length;
        bar.update(written, run.totalBytes ? (run.stream.bytesRead ?? 0) / run.totalBytes : undefined);
      },
      (err) => {
        failure ??= err;
      },
    );
    const tracked = call.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  let interrupted = false;
  const stopListening = io.onInterrupt(() => {
    interrupted = true;
    io.err('\nInterrupted: finishing the transactions in flight (Ctrl-C again to quit at once).\n');
  });
  try {
    for await (const line of lines) {
      lineNo++;
      if (lineNo <= run.resumeFrom) continue;
      if (failure !== undefined) break;
      if (interrupted) {
        if (batch.length > 0) send(batch, lineNo - 1);
        else watermark.skipTo(lineNo - 1);
        throw new CommandFailure('interrupted', undefined, EXIT.interrupted);
      }
      let tuple: RelationTuple | undefined;
      try {
        format ??= detectFormat(line, lineNo);
        tuple = decodeLine(line, lineNo, format);
      } catch (err) {
        // Write what came before the bad line, so a resume starts right at it.
        if (batch.length > 0) send(batch, lineNo - 1);
        else watermark.skipTo(lineNo - 1);
        throw err;
      }
      if (tuple) batch.push(tuple);
      if (batch.length >= run.batchSize) {
        send(batch, lineNo);
        batch = [];
        while (inFlight.size >= run.concurrency) await Promise.race(inFlight);
      }
    }
    if (failure === undefined) {
      if (batch.length > 0) send(batch, lineNo);
      else watermark.skipTo(Math.max(lineNo, run.resumeFrom));
    }
  } catch (err) {
    failure ??= err;
  } finally {
    stopListening();
  }
  await Promise.all(inFlight);
  bar.finish();
  await watermark.flushed();
  if (failure !== undefined) {
    const { line } = watermark.state;
    const cause = describeFailure(failure, importCommand.path);
    const then = cause.hint ? `${cause.hint}; then ` : '';
    if (line === 0) throw new CommandFailure(`${cause.message}; nothing was imported`, `${then}run the command again`, cause.code);
    throw new CommandFailure(
      `${cause.message}; lines 1-${line} are imported`,
      `${then}resume with --resume-from ${line} (or run the same command again with --progress-file)`,
      cause.code,
    );
  }
  return { tuples: watermark.state.tuples, lines: lineNo };
}

/** auto: JSON lines when the first tuple line starts with `{`, the text form otherwise; undefined until a tuple line. */
function detectFormat(line: string, lineNo: number): InputFormat | undefined {
  const row = line.trim();
  if (row === '' || row.startsWith('//')) return undefined;
  if (row.startsWith('[')) {
    throw new CommandFailure(
      `line ${lineNo}: the input is a JSON array; import reads one tuple per line`,
      "turn the array into JSON lines with `jq -c '.[]'`, or use `relation-tuple create -f` for small files",
    );
  }
  return row.startsWith('{') ? 'jsonl' : 'text';
}

function decodeLine(line: string, lineNo: number, format: InputFormat | undefined): RelationTuple | undefined {
  try {
    if (format === undefined) return undefined;
    if (format === 'text') return tupleFromTextLine(line);
    const row = line.trim();
    return row === '' ? undefined : tupleFromJsonValue(JSON.parse(row));
  } catch (err) {
    const detail = (err as Error).cause instanceof Error ? ` (${((err as Error).cause as Error).message})` : '';
    throw new CommandFailure(
      `line ${lineNo}: could not decode ${JSON.stringify(line.trim().slice(0, 200))}: ${(err as Error).message}${detail}`,
      `fix line ${lineNo}`,
    );
  }
}
