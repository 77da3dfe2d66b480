/** `relation-tuple delete-all`: deletes every tuple matching the query flags, only with `--force`. */
import { relationQueryToProto } from '../../api/proto.js';
import type { CommandSpec } from '../command.js';
import { withClient } from '../remote.js';
import { QUERY_FLAGS, queryFromFlags } from '../tuple-args.js';
import { printPage } from './get.js';
import { PACKAGE_FLAGS } from './package-flags.js';

const PREVIEW_PAGE_SIZE = 100;

export const deleteAllCommand: CommandSpec = {
  path: 'relation-tuple delete-all',
  summary: 'Delete ALL relationships matching the relation query.',
  description:
    'Delete all relationships matching the relation query.\n' +
    'It is recommended to first run the command without the `--force` flag to verify that the operation is safe.',
  examples: [
    'gatehouse relation-tuple delete-all --namespace Doc --object readme',
    'gatehouse relation-tuple delete-all --namespace Doc --object readme --force',
  ],
  flags: [...PACKAGE_FLAGS, ...QUERY_FLAGS, { name: 'force', kind: 'bool', description: 'Force the deletion of relationships' }],
  minArgs: 0,
  maxArgs: 0,
  async action(ctx) {
    const { args, io } = ctx;
    if (!args.bool('force')) {
      io.out(
        'WARNING: This operation is not reversible. Please use the `--force` flag to proceed.\nThese tuples would be deleted:\n\n',
      );
      return printPage(ctx, PREVIEW_PAGE_SIZE, '');
    }
    const query = queryFromFlags(args);
    await withClient('write', args, io, (client) => client.deleteRelationTuples({ relationQuery: relationQueryToProto(query) }));
  },
};
