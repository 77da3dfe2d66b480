import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { namespacesForm } from '../namespaces/config-form.js';
import { LEGACY_FILE_EXTENSIONS, parseLegacyNamespaceFile } from '../namespaces/legacy.js';
import { fetchText } from '../namespaces/location.js';
import { compileOpl } from '../opl/compile.js';
import { formatPlaced, placeDiagnostics } from '../opl/report.js';
import { decodeOplBytes } from '../opl/source.js';
import { EXIT } from './exit-codes.js';
import { parseArgs, UsageError, type FlagSpec } from './flags.js';

const USAGE = `Usage: gatehouse namespace validate [FILE...] [-c CONFIG...]

Checks Ory Permission Language files (and legacy .yaml/.yml/.json/.toml namespace files),
and with -c the namespaces a config file names, and prints every problem as
FILE:line:col: message, with the offending line and a caret under it.
"validate-legacy" is accepted as another name for this command.

Flags:
  -c, --config strings          config files whose "namespaces" to validate
      --typescript-precedence   read && before || as TypeScript does (feature_flags.typescript_precedence)
  -h, --help                    help for validate
`;

const FLAGS: readonly FlagSpec[] = [
  { name: 'config', short: 'c', kind: 'list', description: 'config files whose namespaces to validate' },
  { name: 'typescript-precedence', kind: 'bool', description: 'read && before || as TypeScript does' },
];

const FETCH_TIMEOUT_MS = 10_000;

/** `gatehouse namespace validate …`: exit 0 when everything is valid, 3 when something is not, 2 on usage errors. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  if (sub !== 'validate' && sub !== 'validate-legacy') {
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
  const configs = parsed.list('config');
  if (parsed.positionals.length === 0 && configs.length === 0) {
    process.stderr.write(`validate needs a FILE or -c CONFIG\n\n${USAGE}`);
    return EXIT.usage;
  }
  const typescriptPrecedence = parsed.bool('typescript-precedence');
  let valid = true;
  for (const config of configs) valid = (await validateConfig(config, typescriptPrecedence)) && valid;
  for (const file of parsed.positionals) valid = (await validateFile(file, typescriptPrecedence)) && valid;
  if (!valid) return EXIT.failure;
  process.stdout.write('Congrats, all files are valid!\n');
  return EXIT.ok;
}

const fail = (message: string): false => {
  process.stderr.write(`${message}\n`);
  return false;
};

async function validateFile(file: string, typescriptPrecedence: boolean): Promise<boolean> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return fail(`Could not read file ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  if (LEGACY_FILE_EXTENSIONS.has(extname(file).toLowerCase())) {
    try {
      parseLegacyNamespaceFile(file, bytes.toString('utf8'));
      return true;
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  return validateOpl(file, decodeOplBytes(bytes), typescriptPrecedence);
}

function validateOpl(label: string, source: string, typescriptPrecedence: boolean): boolean {
  const { errors, warnings } = compileOpl(source, { typescriptPrecedence });
  for (const d of placeDiagnostics(source, errors)) process.stderr.write(`${formatPlaced(label, d)}\n`);
  for (const d of placeDiagnostics(source, warnings)) process.stderr.write(`${formatPlaced(label, d, 'warning: ')}\n`);
  return errors.length === 0;
}

/** The `namespaces` of a config file, in whichever of Keto's three forms it has. */
async function validateConfig(file: string, typescriptPrecedence: boolean): Promise<boolean> {
  let namespaces: unknown;
  try {
    namespaces = (parseYaml(await readFile(file, 'utf8')) as Record<string, unknown> | null)?.['namespaces'];
  } catch (err) {
    return fail(`Could not read config file ${JSON.stringify(file)}: ${(err as Error).message}`);
  }
  try {
    if (namespaces === undefined) return true;
    const form = namespacesForm(namespaces, dirname(file));
    switch (form.kind) {
      case 'list':
        return true;
      case 'legacy': {
        const files = (await stat(form.path)).isDirectory()
          ? (await readdir(form.path)).filter((n) => LEGACY_FILE_EXTENSIONS.has(extname(n).toLowerCase())).map((n) => join(form.path, n))
          : [form.path];
        let valid = true;
        for (const f of files) valid = (await validateFile(f, typescriptPrecedence)) && valid;
        return valid;
      }
      case 'opl': {
        const { location } = form;
        if (location.kind === 'file') return validateFile(location.path, typescriptPrecedence);
        const source = location.kind === 'http' ? await fetchText(location.url, FETCH_TIMEOUT_MS) : location.text;
        return validateOpl(form.configured, source, typescriptPrecedence);
      }
    }
  } catch (err) {
    return fail(`${file}: ${(err as Error).message}`);
  }
}
