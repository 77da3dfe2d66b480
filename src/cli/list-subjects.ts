/** `gatehouse list-subjects <relation> <namespace>:<object>`: which subjects have the relation on the object. */
import { subjectToKeto } from '../api/keto-json.js';
import { subjectFromProto } from '../api/proto.js';
import { formatSubject } from '../api/tuple-string.js';
import type { Subject } from '../tuple.js';
import { runCommand, type CommandSpec } from './command.js';
import { outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { everyAnswer, LIST_FLAGS } from './list-pages.js';
import { printTable } from './output.js';
import { withClient } from './remote.js';
import { namespaceAndObject } from './tuple-args.js';

export const listSubjectsCommand: CommandSpec = {
  path: 'list-subjects',
  synopsis: '<relation> <object_namespace>:<object_id>',
  summary: 'List the subjects that have a relation on an object',
  description:
    'List every subject that has the relation on the object: exactly the subjects a check with the same max-depth allows, each once, in binary order.\n' +
    'Lists subject IDs; with --subject-namespace, subject sets of that namespace and of --subject-relation (default: none).\n' +
    'The command reads every page of the answer (gatehouse.v1.LookupService/ListSubjects).',
  examples: [
    'gatehouse list-subjects view Doc:readme --insecure-disable-transport-security',
    'gatehouse list-subjects view Doc:readme --subject-namespace Group --subject-relation members --format json',
  ],
  flags: [
    ...LIST_FLAGS,
    { name: 'subject-namespace', kind: 'string', description: 'List subject sets of this namespace instead of subject IDs.' },
    { name: 'subject-relation', kind: 'string', description: 'The relation of the subject sets listed (needs --subject-namespace).' },
  ],
  minArgs: 2,
  maxArgs: 2,
  async action({ args, io }) {
    const [relation, objectArg] = args.positionals as [string, string];
    const { namespace, object } = namespaceAndObject([objectArg], io);
    const format = outputFormat(args);
    const given = (name: string) => (args.changed.has(name) ? args.string(name) : undefined);
    const subjectNamespace = given('subject-namespace');
    const subjectRelation = given('subject-relation');
    const request = {
      namespace,
      object,
      relation,
      maxDepth: args.int('max-depth'),
      ...(subjectNamespace === undefined ? {} : { subjectNamespace }),
      ...(subjectRelation === undefined ? {} : { subjectRelation }),
    };
    const messages = await withClient('read', args, io, (client) => everyAnswer<unknown>(client.listSubjects(request), 'subjects'));
    const subjects = messages.map(subjectFromProto).filter((s): s is Subject => s !== undefined);
    const shown = subjects.map(formatSubject);
    printTable(io, format, {
      header: ['SUBJECT'],
      rows: shown.map((s) => [s]),
      data: { subjects: subjects.map((s) => subjectToKeto(s)) },
      ids: shown,
    });
  },
};

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(listSubjectsCommand, argv, io);
