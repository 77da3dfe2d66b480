import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config/load.js';
import { GatehouseError } from '../errors.js';
import { openStore } from '../store/open.js';
import { storeOptionsFromConfig } from '../store/from-config.js';
import type { MigrationStatus, RelationTupleStore } from '../store/store.js';
import { parseConfigFlags } from './config-flags.js';
import { EXIT } from './exit-codes.js';

const USAGE = `Usage:
  gatehouse migrate up [-y|--yes] [-c FILE]...          apply every pending migration
  gatehouse migrate down STEPS [-y|--yes] [-c FILE]...  revert the last STEPS applied migrations
  gatehouse migrate status [-c FILE]...                 list applied and pending migrations

The database is the configured dsn (from the -c files or the DSN environment variable).
A database Keto migrated is recognised: only gatehouse's own tables are added to it.
Without --yes, up and down show the plan and ask for confirmation on standard input.
`;

/** `gatehouse migrate up | down N | status`. */
export async function run(argv: string[]): Promise<number> {
  let files: string[];
  let rest: string[];
  try {
    ({ files, rest } = parseConfigFlags(argv));
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const yes = rest.some((a) => a === '-y' || a === '--yes');
  const words = rest.filter((a) => a !== '-y' && a !== '--yes');
  const [action, ...operands] = words;
  const flag = words.find((w) => w.startsWith('-'));
  if (flag !== undefined) return usage(`unknown flag: ${flag}`);
  if (action === 'down' && (operands.length !== 1 || !/^[1-9]\d*$/.test(operands[0]!))) {
    return usage('migrate down needs the number of migrations to revert, e.g. "gatehouse migrate down 1"');
  }
  if ((action === 'up' || action === 'status') && operands.length > 0) return usage(`unexpected argument: ${operands[0]}`);
  if (action !== 'up' && action !== 'down' && action !== 'status') {
    return usage(action === undefined ? 'missing subcommand' : `unknown subcommand "${action}"`);
  }

  let store: RelationTupleStore | undefined;
  try {
    const config = loadConfig({ files, env: process.env });
    store = await openStore(config.dsn, storeOptionsFromConfig(config));
    const status = await store.migrations.status();
    if (action === 'status') {
      process.stdout.write(table(status));
      return EXIT.ok;
    }
    const plan =
      action === 'up'
        ? status.filter((m) => m.state === 'pending')
        : status.filter((m) => m.state === 'applied').reverse().slice(0, Number(operands[0]));
    if (plan.length === 0) {
      process.stdout.write(action === 'up' ? 'All migrations are already applied.\n' : 'No migration is applied.\n');
      return EXIT.ok;
    }
    process.stdout.write(`${action === 'up' ? 'Migrations to apply' : 'Migrations to revert'}:\n${table(plan)}`);
    if (!yes && !(await confirm(action === 'up' ? 'Apply these migrations?' : 'Revert these migrations?'))) {
      process.stdout.write('Aborted: nothing was changed.\n');
      return EXIT.ok;
    }
    const done = action === 'up' ? await store.migrations.up() : await store.migrations.down(Number(operands[0]));
    process.stdout.write(`${action === 'up' ? 'Applied' : 'Reverted'} ${done.length} migration(s).\n`);
    return EXIT.ok;
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof GatehouseError && error.kind === 'unavailable' ? EXIT.unavailable : EXIT.failure;
  } finally {
    await store?.close();
  }
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}`);
  return EXIT.usage;
}

function table(statuses: readonly MigrationStatus[]): string {
  const rows = [['VERSION', 'NAME', 'STATUS'], ...statuses.map((s) => [s.version, s.name, s.state === 'applied' ? 'Applied' : 'Pending'])];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`).join('\n') + '\n';
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}
