/** `relation-tuple parse`: Keto's human-readable tuples (`ns:obj#rel@subject` per line) as a table or JSON. */
import { UsageError } from '../flags.js';
import type { CommandSpec } from '../command.js';
import { formatFlags, outputFormat } from '../format-flags.js';
import { printRow, printTable } from '../output.js';
import { decodeTextTuples, readTupleInputs } from '../tuple-files.js';
import { tupleRow, tupleTable } from '../tuple-output.js';
import { FILE_FLAG } from './package-flags.js';

export const parseCommand: CommandSpec = {
  path: 'relation-tuple parse',
  summary: 'Parse human readable relationships',
  description:
    'Parse human readable relationships as used in the documentation.\n' +
    'Supports various output formats. Especially useful for piping into other commands by using `--format json`.\n' +
    'Ignores comments (lines starting with `//`) and blank lines.',
  examples: [
    'gatehouse relation-tuple parse -f tuples1.txt -f tuples2.txt',
    'gatehouse relation-tuple parse -f tuples-dir',
    "echo 'Doc:readme#owner@User:alice' | gatehouse relation-tuple parse -f - --format json",
  ],
  flags: [FILE_FLAG, ...formatFlags()],
  minArgs: 0,
  maxArgs: 0,
  async action({ args, io }) {
    const files = args.list('file');
    if (files.length === 0) throw new UsageError('at least one file must be specified with -f');
    const format = outputFormat(args);
    const tuples = await readTupleInputs(files, decodeTextTuples, io.stdin);
    if (tuples.length === 1) printRow(io, format, tupleRow(tuples[0]!));
    else printTable(io, format, tupleTable(tuples, true));
  },
};
