/**
 * `gatehouse relation-tuple <subcommand>`: Keto's `relation-tuple` commands (create, delete,
 * delete-all, get, parse) plus gatehouse's bulk `import` and `export`.
 */
import { PROGRAM, reportFailure, runCommand, type CommandSpec } from './command.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './flags.js';
import { processIo, type CliIo } from './io.js';
import { createCommand, deleteCommand } from './relation-tuple/transact.js';
import { deleteAllCommand } from './relation-tuple/delete-all.js';
import { getCommand } from './relation-tuple/get.js';
import { parseCommand } from './relation-tuple/parse.js';
import { importCommand } from './relation-tuple/import.js';
import { exportCommand } from './relation-tuple/export.js';

const SUBCOMMANDS: readonly CommandSpec[] = [
  createCommand,
  deleteCommand,
  deleteAllCommand,
  getCommand,
  parseCommand,
  importCommand,
  exportCommand,
];

const nameOf = (spec: CommandSpec) => spec.path.split(' ').pop()!;

function groupHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((s) => nameOf(s).length));
  return `Read and manipulate relationships

Usage:
  ${PROGRAM} relation-tuple <command> [flags]

Available Commands:
${SUBCOMMANDS.map((s) => `  ${nameOf(s).padEnd(width)}  ${s.summary}`).join('\n')}

Examples:
  ${PROGRAM} relation-tuple create User:alice owner Doc:readme --insecure-disable-transport-security
  ${PROGRAM} relation-tuple get --namespace Doc --format json

Use "${PROGRAM} relation-tuple <command> --help" for more information about a command.
`;
}

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  // Without a subcommand, Keto (cobra) prints the group's help and succeeds.
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(groupHelp());
    return EXIT.ok;
  }
  const spec = SUBCOMMANDS.find((s) => nameOf(s) === name);
  if (!spec) {
    return reportFailure(io, new UsageError(`unknown command ${JSON.stringify(name)} for "${PROGRAM} relation-tuple"`), 'relation-tuple');
  }
  return runCommand(spec, rest, io);
}
