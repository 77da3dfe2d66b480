/** `relation-tuple get`: one page of the tuples matching the query flags. */
import { relationQueryToProto, tupleFromProto } from '../../api/proto.js';
import type { CommandSpec, CommandContext } from '../command.js';
import { outputFormat } from '../format-flags.js';
import { printTable } from '../output.js';
import { withClient } from '../remote.js';
import { QUERY_FLAGS, queryFromFlags } from '../tuple-args.js';
import { tuplePage } from '../tuple-output.js';
import { PACKAGE_FLAGS } from './package-flags.js';

/** Prints one page; shared with `delete-all`, which shows what it would delete. */
export async function printPage({ args, io }: CommandContext, pageSize: number, pageToken: string): Promise<void> {
  const query = queryFromFlags(args);
  const format = outputFormat(args);
  const response = await withClient('read', args, io, (client) =>
    client.listRelationTuples({ relationQuery: relationQueryToProto(query), pageSize, pageToken }),
  );
  printTable(io, format, tuplePage(response.relationTuples.map(tupleFromProto), response.nextPageToken));
}

export const getCommand: CommandSpec = {
  path: 'relation-tuple get',
  summary: 'Get relationships',
  description: 'Get relationships matching the given partial tuple.\nReturns paginated results.',
  examples: [
    'gatehouse relation-tuple get --namespace Doc --object readme',
    'gatehouse relation-tuple get --namespace Doc --subject-set Group:admins#members --format json',
    'gatehouse relation-tuple get --namespace Doc --page-size 50 --page-token "$TOKEN"',
  ],
  flags: [
    ...PACKAGE_FLAGS,
    ...QUERY_FLAGS,
    { name: 'page-token', kind: 'string', description: 'page token acquired from a previous response' },
    { name: 'page-size', kind: 'int', default: 100, description: 'maximum number of items to return' },
  ],
  minArgs: 0,
  maxArgs: 0,
  action: (ctx) => printPage(ctx, ctx.args.int('page-size'), ctx.args.string('page-token')),
};
