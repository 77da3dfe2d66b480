import type { FlagSpec, ParsedArgs } from './flags.js';
import type { CliIo } from './io.js';

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** `check`: the subject does not have the relation. */
  denied: 1,
  /** The command line could not be understood. */
  usage: 2,
  /** The request or its input was refused, or the command failed. */
  failure: 3,
  /** The server could not be reached or did not answer in time (worth retrying). */
  unavailable: 4,
  /** Stopped by Ctrl-C (SIGINT) after finishing what was in flight. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success (check: allowed)
  1  check: denied (0 with --keto-exit-codes, as Keto's CLI)
  2  usage error
  3  the request or its input was refused, or the command failed
  4  the server could not be reached or did not answer in time
  130  interrupted (import: after writing what was in flight; it says where to resume)`;

/**
 * Keto's CLI exits 0 after a denied check (it prints "Denied"): scripts written for it read the
 * answer from the output. The flag, or GATEHOUSE_KETO_EXIT_CODES=true for a whole script, does the same.
 */
export const KETO_EXIT_CODES_FLAG: FlagSpec = {
  name: 'keto-exit-codes',
  kind: 'bool',
  description: 'Exit 0 after a denied check, as Keto\'s CLI does (env GATEHOUSE_KETO_EXIT_CODES=true).',
};

export function deniedExitCode(args: ParsedArgs, io: CliIo): number {
  return args.bool('keto-exit-codes') || io.env.GATEHOUSE_KETO_EXIT_CODES === 'true' ? EXIT.ok : EXIT.denied;
}
