/** `gatehouse expand <relation> <namespace>:<object>`: Keto's expand command over gRPC. */
import { runCommand, type CommandSpec } from './command.js';
import { formatFlags, outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { printText } from './output.js';
import { REMOTE_FLAGS, withClient } from './remote.js';
import { namespaceAndObject } from './tuple-args.js';
import { drawTree, treeFromProto, treeToJson } from './expand-tree.js';

const EMPTY_TREE = 'Got an empty tree. This probably means that the requested relation tuple is not present in Keto.';

export const expandCommand: CommandSpec = {
  path: 'expand',
  synopsis: '<relation> <object_namespace>:<object_id>',
  summary: 'Expand all subjects that have the relation on the object',
  description:
    'Expand all subjects that have the relation on the object, including how access is granted.\n\n' +
    "Legacy format 'expand <relation> <object_namespace> <object_id>' is deprecated.",
  examples: [
    'gatehouse expand view Doc:readme --insecure-disable-transport-security',
    'gatehouse expand owner Group:admins --max-depth 2 --format json-pretty',
  ],
  flags: [
    ...REMOTE_FLAGS,
    ...formatFlags('default'),
    {
      name: 'max-depth',
      short: 'd',
      kind: 'int',
      default: 0,
      description:
        'Maximum depth of the tree to be returned. If the value is less than 1 or greater than the global max-depth then the global max-depth will be used instead.',
    },
  ],
  minArgs: 2,
  maxArgs: 3,
  async action({ args, io }) {
    const [relation, ...objectArgs] = args.positionals as [string, ...string[]];
    const { namespace, object } = namespaceAndObject(objectArgs, io);
    const format = outputFormat(args);
    const response = await withClient('read', args, io, (client) =>
      client.expand({ subject: { set: { namespace, object, relation } }, maxDepth: args.int('max-depth') }),
    );
    const tree = response.tree ? treeToJson(treeFromProto(response.tree)) : null;
    printText(io, format, { text: tree ? drawTree(tree) : '', data: tree });
    // Keto ends the drawing (or explains an empty tree) only for the format named `default`, not `table`.
    const drawnByDefault = args.string('format') === 'default' || args.string('format') === '';
    if (drawnByDefault) io.out(tree || args.bool('quiet') ? '\n' : `${EMPTY_TREE}\n`);
  },
};

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(expandCommand, argv, io);
