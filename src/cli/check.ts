/** `gatehouse check <subject> <relation> <namespace>:<object>`: Keto's check command over gRPC. */
import { explanationFromSteps, type ExplanationStepProto, explanationToJson } from '../api/explanation.js';
import { formatSubject, parseSubject } from '../api/tuple-string.js';
import { tupleToProto } from '../api/proto.js';
import type { KetoClient } from '../client/keto.js';
import type { Subject } from '../tuple.js';
import { CommandFailure, runCommand, type CommandSpec } from './command.js';
import { drawExplanation } from './explain-tree.js';
import { deniedExitCode, EXIT, KETO_EXIT_CODES_FLAG } from './exit-codes.js';
import type { FlagSpec } from './flags.js';
import { formatFlags, outputFormat } from './format-flags.js';
import { processIo, type CliIo } from './io.js';
import { type Format, printText } from './output.js';
import { REMOTE_FLAGS, withClient } from './remote.js';
import { namespaceAndObject } from './tuple-args.js';

/** The max-depth of a check (also of the checks that confirm a lookup's answers). */
export const MAX_DEPTH_FLAG: FlagSpec = {
  name: 'max-depth',
  short: 'd',
  kind: 'int',
  default: 0,
  description:
    'Maximum depth of the search tree. If the value is less than 1 or greater than the global max-depth then the global max-depth will be used instead.',
};

export const checkCommand: CommandSpec = {
  path: 'check',
  synopsis: '<subject_namespace>:<subject_id> <relation> <object_namespace>:<object_id>',
  summary: 'Check whether a subject has a relation on an object',
  description:
    'Check whether a subject has a relation on an object.\n' +
    'Prints "Allowed" and exits 0, or prints "Denied" and exits 1 (0 with --keto-exit-codes, as Keto).\n' +
    "The subject is a subject set when it contains ':' (User:alice, Group:admins#members), otherwise a subject ID.\n\n" +
    "Legacy format 'check <subject_namespace>:<subject_id> <relation> <object_namespace> <object_id>' is deprecated.",
  examples: [
    'gatehouse check User:alice view Doc:readme --insecure-disable-transport-security',
    'gatehouse check Group:admins#members edit Doc:readme --format json',
    'gatehouse check User:alice view Doc:readme --explain',
  ],
  flags: [
    ...REMOTE_FLAGS,
    ...formatFlags(),
    MAX_DEPTH_FLAG,
    KETO_EXIT_CODES_FLAG,
    {
      name: 'explain',
      kind: 'bool',
      description: "Also show why: the steps that granted the check, or every branch tried and why it failed (gatehouse's ExplainService).",
    },
  ],
  minArgs: 3,
  maxArgs: 4,
  async action({ args, io }) {
    const [subjectArg, relation, ...objectArgs] = args.positionals as [string, string, ...string[]];
    const { namespace, object } = namespaceAndObject(objectArgs, io);
    const format = outputFormat(args);
    const tuple = { namespace, object, relation, subject: parseSubject(subjectArg) };
    const request = { tuple: tupleToProto(tuple), maxDepth: args.int('max-depth') };
    if (args.bool('explain')) return explained(io, format, tuple.subject, await withClient('read', args, io, (client) => client.explainCheck(request)));
    const { allowed } = await withClient('read', args, io, (client) => client.check(request));
    printText(io, format, { text: allowed ? 'Allowed\n' : 'Denied\n', data: { allowed } });
    return allowed ? EXIT.ok : deniedExitCode(args, io);
  },
};

const TRUNCATED = '… the evaluation took more steps than an explanation records; the rest are left out\n';

/** Prints an explained answer: the verdict and the tree (or the JSON of both), and a check that could not be completed as a failure. */
function explained(io: CliIo, format: Format, subject: Subject, answer: Awaited<ReturnType<KetoClient['explainCheck']>>): number {
  const explanation = explanationFromSteps(answer.steps as ExplanationStepProto[]);
  const verdict = answer.error !== '' ? 'Not completed' : answer.allowed ? 'Allowed' : 'Denied';
  printText(io, format, {
    text: `${verdict}\n${drawExplanation(explanation, formatSubject(subject), io.colourOut)}${answer.truncated ? TRUNCATED : ''}`,
    data: {
      allowed: answer.allowed,
      explanation: explanationToJson(explanation),
      ...(answer.truncated ? { explanation_truncated: true } : {}),
      ...(answer.error === '' ? {} : { error: answer.error }),
    },
  });
  if (answer.error !== '') throw new CommandFailure(`the check could not be completed: ${answer.error}`, 'try a larger --max-depth or raise the server limits');
  return answer.allowed ? EXIT.ok : EXIT.denied;
}

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(checkCommand, argv, io);
