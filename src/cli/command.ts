/**
 * A client command in the shape of Keto's CLI (cobra): flags, argument count, `--help`
 * with an example, and every failure reported as one line on stderr with a hint.
 */
import { GatehouseError } from '../errors.js';
import { GrpcCallError } from '../client/status.js';
import { GrpcCode, grpcCodeName } from '../grpc-code.js';
import { parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './flags.js';
import { flushed, type CliIo } from './io.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

export const PROGRAM = 'gatehouse';

export interface CommandContext {
  readonly args: ParsedArgs;
  readonly io: CliIo;
}

export interface CommandSpec {
  /** The words that name the command, e.g. `relation-tuple get`. */
  readonly path: string;
  /** The positional arguments, as shown in the usage line. */
  readonly synopsis?: string;
  readonly summary: string;
  readonly description?: string;
  readonly examples: readonly string[];
  readonly flags: readonly FlagSpec[];
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Resolves with the exit code (default 0). */
  action(ctx: CommandContext): Promise<number | void>;
}

/** A failure with its own message, hint and exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

/** Runs the command and resolves with its exit code once its output is written (callers may exit right away). */
export async function runCommand(spec: CommandSpec, argv: readonly string[], io: CliIo): Promise<number> {
  const code = await runUnflushed(spec, argv, io);
  await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  return code;
}

async function runUnflushed(spec: CommandSpec, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv, spec.flags);
    if (args.help) {
      io.out(commandHelp(spec));
      return EXIT.ok;
    }
    checkArgCount(spec, args.positionals.length);
    return (await spec.action({ args, io })) ?? EXIT.ok;
  } catch (err) {
    return reportFailure(io, err, spec.path);
  }
}

function checkArgCount(spec: CommandSpec, n: number): void {
  if (n >= spec.minArgs && n <= spec.maxArgs) return;
  if (spec.minArgs === spec.maxArgs) throw new UsageError(`accepts ${spec.minArgs} arg(s), received ${n}`);
  if (spec.maxArgs === Infinity) throw new UsageError(`requires at least ${spec.minArgs} arg(s), received ${n}`);
  throw new UsageError(`accepts between ${spec.minArgs} and ${spec.maxArgs} arg(s), received ${n}`);
}

/** Prints `err` as one line (with its hint) on stderr and returns the exit code it stands for. */
export function reportFailure(io: CliIo, err: unknown, commandPath: string): number {
  const { message, hint, code } = describeFailure(err, commandPath);
  const label = io.colourErr ? '\x1b[31mError:\x1b[0m' : 'Error:';
  io.err(`${label} ${message}${hint ? ` (hint: ${hint})` : ''}\n`);
  return code;
}

/** The one-line message, hint and exit code `err` stands for. */
export function describeFailure(err: unknown, commandPath: string): { message: string; hint?: string; code: number } {
  if (err instanceof UsageError) {
    return { message: err.message, hint: `run '${PROGRAM} ${commandPath} --help' for usage`, code: EXIT.usage };
  }
  if (err instanceof CommandFailure) return { message: err.message, hint: err.hint, code: err.exitCode };
  if (err instanceof GrpcCallError) {
    const unreachable = err.code === GrpcCode.UNAVAILABLE || err.code === GrpcCode.DEADLINE_EXCEEDED;
    return {
      message: `Could not make request: ${err.details} [${grpcCodeName(err.code)}]`,
      hint: err.hint ?? hintForStatus(err.code),
      code: unreachable ? EXIT.unavailable : EXIT.failure,
    };
  }
  if (err instanceof GatehouseError) {
    const detail = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return { message: `${err.message}${detail}`, code: EXIT.failure };
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EPIPE') return { message: 'the output was closed before everything was written', code: EXIT.failure };
  return { message: String(e?.message ?? err).split('\n')[0]!, code: EXIT.failure };
}

function hintForStatus(code: number): string | undefined {
  switch (code) {
    case GrpcCode.NOT_FOUND:
      return "check the namespace name against the server's namespace configuration";
    case GrpcCode.INVALID_ARGUMENT:
      return 'check the arguments: namespaces and relations must exist in the configured model';
    case GrpcCode.UNIMPLEMENTED:
      return 'the remote does not offer this call: reads go to the read port (4466), writes to the write port (4467)';
    case GrpcCode.UNAUTHENTICATED:
    case GrpcCode.PERMISSION_DENIED:
      return 'set KETO_BEARER_TOKEN to a token the server accepts';
    case GrpcCode.FAILED_PRECONDITION:
      return 'the server hit a depth or width limit; try a larger --max-depth or raise the server limits';
    case GrpcCode.RESOURCE_EXHAUSTED:
      return 'the request is too large; send fewer tuples at once';
    default:
      return undefined;
  }
}

export function commandHelp(spec: CommandSpec): string {
  const parts = [
    spec.description ?? spec.summary,
    `Usage:\n  ${PROGRAM} ${spec.path}${spec.synopsis ? ` ${spec.synopsis}` : ''} [flags]`,
    `Examples:\n${spec.examples.map((e) => `  ${e}`).join('\n')}`,
    `Flags:\n${flagHelp([...spec.flags, HELP_FLAG])}`,
    EXIT_CODES_HELP,
  ];
  return parts.join('\n\n') + '\n';
}

const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', kind: 'bool', description: 'Show this help.' };

const KIND_PLACEHOLDER = { string: 'string', int: 'int32', list: 'strings', bool: '' } as const;

function flagHelp(flags: readonly FlagSpec[]): string {
  const visible = flags.filter((f) => !f.hidden);
  const left = visible.map((f) => {
    const names = f.short ? `-${f.short}, --${f.name}` : `    --${f.name}`;
    const placeholder = KIND_PLACEHOLDER[f.kind];
    return placeholder ? `${names} ${placeholder}` : names;
  });
  const width = Math.max(...left.map((l) => l.length));
  return visible
    .map((f, i) => {
      const shownDefault =
        f.default !== undefined && f.default !== '' && f.default !== false && f.default !== 0
          ? ` (default ${JSON.stringify(f.default)})`
          : '';
      return `  ${left[i]!.padEnd(width)}   ${f.description}${shownDefault}`;
    })
    .join('\n');
}
