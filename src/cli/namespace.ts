import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseLegacyNamespaceFile } from '../namespaces/legacy.js';
import { compileOpl } from '../opl/compile.js';
import { formatPlaced, placeDiagnostics } from '../opl/report.js';
import { decodeOplBytes } from '../opl/source.js';
import { EXIT } from './exit-codes.js';
import { parseArgs, UsageError, type FlagSpec } from './flags.js';

const USAGE = `Usage: gatehouse namespace validate FILE [FILE...]

Checks Ory Permission Language files (and legacy .yaml/.yml/.json/.toml namespace files)
and prints every problem as FILE:line:col: message, with the offending line and a caret.

Flags:
      --typescript-precedence   read && before || as TypeScript does (feature_flags.typescript_precedence)
  -h, --help                    help for validate
`;

const FLAGS: readonly FlagSpec[] = [
  { name: 'typescript-precedence', kind: 'bool', description: 'read && before || as TypeScript does' },
];

const LEGACY_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.toml']);

/** `gatehouse namespace validate FILE…`: exit 0 when every file is valid, 3 when one is not, 2 on usage errors. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'validate') {
    process.stderr.write(`unknown command "${sub}" for "gatehouse namespace"\n\n${USAGE}`);
    return EXIT.usage;
  }
  let parsed;
  try {
    parsed = parseArgs(rest, FLAGS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (parsed.positionals.length === 0) {
    process.stderr.write(`validate needs at least one FILE\n\n${USAGE}`);
    return EXIT.usage;
  }
  let failed = false;
  for (const file of parsed.positionals) {
    if (!(await validateFile(file, parsed.bool('typescript-precedence')))) failed = true;
  }
  if (failed) return EXIT.failure;
  process.stdout.write('Congrats, all files are valid!\n');
  return EXIT.ok;
}

async function validateFile(file: string, typescriptPrecedence: boolean): Promise<boolean> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    process.stderr.write(`Could not read file ${JSON.stringify(file)}: ${(err as Error).message}\n`);
    return false;
  }
  if (LEGACY_EXTENSIONS.has(extname(file).toLowerCase())) {
    try {
      parseLegacyNamespaceFile(file, bytes.toString('utf8'));
      return true;
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return false;
    }
  }
  const source = decodeOplBytes(bytes);
  const { errors, warnings } = compileOpl(source, { typescriptPrecedence });
  for (const d of placeDiagnostics(source, errors)) process.stderr.write(`${formatPlaced(file, d)}\n`);
  for (const d of placeDiagnostics(source, warnings)) process.stderr.write(`${formatPlaced(file, d, 'warning: ')}\n`);
  return errors.length === 0;
}
