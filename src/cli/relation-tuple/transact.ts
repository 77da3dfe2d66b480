/**
 * `relation-tuple create` and `relation-tuple delete`: one tuple inline
 * (`<subject> <relation> <namespace>:<object>`) or every tuple of the `-f` inputs.
 * Up to TRANSACTION_SIZE tuples are written in one transaction, as Keto does; larger inputs
 * are written in consecutive transactions of that size with a progress bar on a terminal.
 */
import { parseSubject } from '../../api/tuple-string.js';
import { tupleToProto } from '../../api/proto.js';
import type { RelationTuple } from '../../tuple.js';
import type { KetoClient } from '../../client/keto.js';
import { UsageError } from '../flags.js';
import type { CommandContext, CommandSpec } from '../command.js';
import { outputFormat } from '../format-flags.js';
import { printTable } from '../output.js';
import { progress } from '../progress.js';
import { withClient } from '../remote.js';
import { decodeJsonTuples, readTupleInputs } from '../tuple-files.js';
import { namespaceAndObject } from '../tuple-args.js';
import { tupleTable } from '../tuple-output.js';
import { FILE_FLAG, PACKAGE_FLAGS } from './package-flags.js';

export const TRANSACTION_SIZE = 10_000;

type Action = 'ACTION_INSERT' | 'ACTION_DELETE';

function transactAction(action: Action) {
  return async ({ args, io }: CommandContext) => {
    const files = args.list('file');
    const format = outputFormat(args);
    let tuples: RelationTuple[];
    if (files.length > 0) {
      tuples = await readTupleInputs(files, decodeJsonTuples, io.stdin);
    } else {
      if (args.positionals.length !== 3) throw new UsageError('expected inline arguments or JSON files and folders');
      const [subject, relation, objectArg] = args.positionals as [string, string, string];
      const { namespace, object } = namespaceAndObject([objectArg], io);
      tuples = [{ namespace, object, relation, subject: parseSubject(subject) }];
    }
    await withClient('write', args, io, (client) => writeInTransactions(client, action, tuples, io));
    // Files that hold no tuple print `null` in the structured formats, as in Keto.
    printTable(io, format, tupleTable(tuples, true));
  };
}

async function writeInTransactions(
  client: KetoClient,
  action: Action,
  tuples: readonly RelationTuple[],
  io: CommandContext['io'],
): Promise<void> {
  const batches = Math.ceil(tuples.length / TRANSACTION_SIZE);
  if (batches > 1) {
    io.err(
      `Writing ${tuples.length} tuples in ${batches} transactions of up to ${TRANSACTION_SIZE}; ` +
        'for resumable bulk loads use `gatehouse relation-tuple import`.\n',
    );
  }
  const bar = batches > 1 ? progress(io, 'tuples', tuples.length) : undefined;
  // An empty input still sends one (empty) transaction, as Keto does.
  let start = 0;
  do {
    const batch = tuples.slice(start, start + TRANSACTION_SIZE);
    await client.transactRelationTuples({
      relationTupleDeltas: batch.map((t) => ({ action, relationTuple: tupleToProto(t) })),
    });
    start += batch.length;
    bar?.update(start);
  } while (start < tuples.length);
  bar?.finish();
}

const examples = (verb: string) => [
  `gatehouse relation-tuple ${verb} User:alice owner Doc:readme`,
  `gatehouse relation-tuple ${verb} -f relationships1.json -f relationships2.json`,
  `gatehouse relation-tuple ${verb} -f relationships-dir`,
  `gatehouse relation-tuple parse -f tuples.txt --format json | gatehouse relation-tuple ${verb} -f -`,
];

const description = (verb: 'Create' | 'Delete') =>
  `${verb} relationship tuples from inline arguments or JSON files and folders.\n` +
  'A JSON file holds one tuple or an array of tuples; if a directory is provided, all files inside it are processed.\n' +
  "Use '-' as filename to read from STD_IN.";

const SYNOPSIS = '<subject_namespace>:<subject_id> <relation> <object_namespace>:<object_id>';

export const createCommand: CommandSpec = {
  path: 'relation-tuple create',
  synopsis: SYNOPSIS,
  summary: 'Create relationship tuples from inline arguments or JSON files and folders',
  description: description('Create'),
  examples: examples('create'),
  flags: [FILE_FLAG, ...PACKAGE_FLAGS],
  minArgs: 0,
  maxArgs: Infinity,
  action: transactAction('ACTION_INSERT'),
};

export const deleteCommand: CommandSpec = {
  path: 'relation-tuple delete',
  synopsis: SYNOPSIS,
  summary: 'Delete relationship tuples from inline arguments or JSON files and folders',
  description: description('Delete'),
  examples: examples('delete'),
  flags: [FILE_FLAG, ...PACKAGE_FLAGS],
  minArgs: 0,
  maxArgs: Infinity,
  action: transactAction('ACTION_DELETE'),
};
