/** `gatehouse list-objects <subject> <relation> <namespace>`: which objects the subject has the relation on. */
import { parseSubject } from '../api/tuple-string.js';
import { subjectToProto } from '../api/proto.js';
import { runCommand, type CommandSpec } from './command.js';
import { outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { everyAnswer, LIST_FLAGS } from './list-pages.js';
import { printTable } from './output.js';
import { withClient } from './remote.js';

export const listObjectsCommand: CommandSpec = {
  path: 'list-objects',
  synopsis: '<subject> <relation> <object_namespace>',
  summary: 'List the objects of a namespace a subject has a relation on',
  description:
    'List every object of a namespace on which the subject has the relation: exactly the objects a check with the same max-depth allows, each once, in binary order of the id.\n' +
    "The subject is a subject set when it contains ':' (User:alice, Group:admins#members), otherwise a subject ID.\n" +
    'The command reads every page of the answer (gatehouse.v1.LookupService/ListObjects).',
  examples: [
    'gatehouse list-objects alice view Doc --insecure-disable-transport-security',
    'gatehouse list-objects Group:admins#members edit Doc --format json',
  ],
  flags: LIST_FLAGS,
  minArgs: 3,
  maxArgs: 3,
  async action({ args, io }) {
    const [subjectArg, relation, namespace] = args.positionals as [string, string, string];
    const format = outputFormat(args);
    const request = { namespace, relation, subject: subjectToProto(parseSubject(subjectArg)), maxDepth: args.int('max-depth') };
    const objects = await withClient('read', args, io, (client) => everyAnswer<string>(client.listObjects(request), 'objects'));
    printTable(io, format, {
      header: ['NAMESPACE', 'OBJECT'],
      rows: objects.map((object) => [namespace, object]),
      data: { objects },
      ids: objects,
    });
  },
};

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(listObjectsCommand, argv, io);
