/** `gatehouse check <subject> <relation> <namespace>:<object>`: Keto's check command over gRPC. */
import { parseSubject } from '../api/tuple-string.js';
import { tupleToProto } from '../api/proto.js';
import { runCommand, type CommandSpec } from './command.js';
import { EXIT } from './exit-codes.js';
import { formatFlags, outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { printText } from './output.js';
import { REMOTE_FLAGS, withClient } from './remote.js';
import { namespaceAndObject } from './tuple-args.js';

export const checkCommand: CommandSpec = {
  path: 'check',
  synopsis: '<subject_namespace>:<subject_id> <relation> <object_namespace>:<object_id>',
  summary: 'Check whether a subject has a relation on an object',
  description:
    'Check whether a subject has a relation on an object.\n' +
    'Prints "Allowed" and exits 0, or prints "Denied" and exits 1.\n' +
    "The subject is a subject set when it contains ':' (User:alice, Group:admins#members), otherwise a subject ID.\n\n" +
    "Legacy format 'check <subject_namespace>:<subject_id> <relation> <object_namespace> <object_id>' is deprecated.",
  examples: [
    'gatehouse check User:alice view Doc:readme --insecure-disable-transport-security',
    'gatehouse check Group:admins#members edit Doc:readme --format json',
  ],
  flags: [
    ...REMOTE_FLAGS,
    ...formatFlags(),
    {
      name: 'max-depth',
      short: 'd',
      kind: 'int',
      default: 0,
      description:
        'Maximum depth of the search tree. If the value is less than 1 or greater than the global max-depth then the global max-depth will be used instead.',
    },
  ],
  minArgs: 3,
  maxArgs: 4,
  async action({ args, io }) {
    const [subjectArg, relation, ...objectArgs] = args.positionals as [string, string, ...string[]];
    const { namespace, object } = namespaceAndObject(objectArgs, io);
    const format = outputFormat(args);
    const tuple = { namespace, object, relation, subject: parseSubject(subjectArg) };
    const { allowed } = await withClient('read', args, io, (client) =>
      client.check({ tuple: tupleToProto(tuple), maxDepth: args.int('max-depth') }),
    );
    printText(io, format, { text: allowed ? 'Allowed\n' : 'Denied\n', data: { allowed } });
    return allowed ? EXIT.ok : EXIT.denied;
  },
};

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(checkCommand, argv, io);
