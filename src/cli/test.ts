/** `gatehouse test FILE…`: runs model-test files in process, without a server or a database. */
import { readFileSync } from 'node:fs';
import { explanationToJson } from '../api/explanation.js';
import { dirname, resolve } from 'node:path';
import { decodeOplBytes } from '../opl/source.js';
import { type ModelTestResult, runModelTest } from '../scenario/model-test.js';
import { parseTestFile, TestFileError } from '../scenario/test-file.js';
import { runCommand, type CommandSpec } from './command.js';
import { UsageError } from './flags.js';
import { processIo, type CliIo } from './io.js';
import { goJson } from './output.js';
import { testReport } from './test-report.js';

/** Exit code when an assertion failed or a file could not be run. */
export const TESTS_FAILED = 1;

/** One file's outcome: its scenarios, or why it could not be read. */
export interface FileResult {
  readonly file: string;
  readonly scenarios: readonly ModelTestResult[];
  readonly error?: { readonly line: number; readonly message: string };
}

export const testCommand: CommandSpec = {
  path: 'test',
  synopsis: 'FILE...',
  summary: 'Run model tests: a model, tuples and the answers expected of them',
  description:
    'Run model tests: YAML files holding a model (inline OPL or model_file), tuples and assertions\n' +
    '(allowed and denied checks, list_objects and list_subjects answers, expected model_errors), one\n' +
    "scenario or a list under 'scenarios'; SpiceDB validation files (schema in OPL, relationships,\n" +
    'assertions, validation) are read too. Everything runs in process with the server\'s engine; no\n' +
    'server or database is used. Prints each failed assertion with the expected and the actual answer\n' +
    'and, for checks, the explanation. Exits 0 when everything passed, 1 when an assertion failed or a\n' +
    'file could not be run.',
  examples: ['gatehouse test namespaces.example.test.yml', 'gatehouse test tests/*.yml --format json'],
  flags: [{ name: 'format', kind: 'string', default: 'text', description: 'Set the output format: text or json.' }],
  minArgs: 1,
  maxArgs: Infinity,
  async action({ args, io }) {
    const format = args.string('format');
    if (format !== 'text' && format !== 'json') throw new UsageError(`unknown output format ${JSON.stringify(format)}; use text or json`);
    const files: FileResult[] = [];
    for (const file of args.positionals) files.push(await runFile(file));
    if (format === 'json') io.out(goJson(jsonReport(files), false));
    else io.out(testReport(files, io.colourOut));
    const passed = files.every((f) => f.error === undefined && f.scenarios.every((s) => s.passed));
    return passed ? 0 : TESTS_FAILED;
  },
};

async function runFile(file: string): Promise<FileResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { file, scenarios: [], error: { line: 0, message: `cannot read the file: ${(err as Error).message}` } };
  }
  try {
    const tests = parseTestFile(text, (path) => decodeOplBytes(readFileSync(resolve(dirname(file), path))));
    const scenarios: ModelTestResult[] = [];
    for (const test of tests) scenarios.push(await runModelTest(test));
    return { file, scenarios };
  } catch (err) {
    if (!(err instanceof TestFileError)) throw err;
    return { file, scenarios: [], error: { line: err.line, message: err.message } };
  }
}

/** The machine-readable report: every file, scenario and assertion, and the totals. */
function jsonReport(files: readonly FileResult[]) {
  const scenarios = files.flatMap((f) => f.scenarios);
  const assertions = scenarios.flatMap((s) => s.results);
  return {
    passed: files.every((f) => f.error === undefined) && scenarios.every((s) => s.passed),
    scenarios: scenarios.length,
    assertions: assertions.length,
    failed: assertions.filter((r) => !r.passed).length,
    files: files.map((f) => ({
      file: f.file,
      ...(f.error === undefined ? {} : { error: f.error }),
      scenarios: f.scenarios.map((s) => ({
        name: s.name,
        line: s.line,
        passed: s.passed,
        problems: s.problems,
        assertions: s.results.map((r) => ({
          ...r.assertion,
          passed: r.passed,
          expected: r.expected,
          actual: r.actual,
          ...(r.explanation === undefined ? {} : { explanation: explanationToJson(r.explanation) }),
        })),
      })),
    })),
  };
}

export const run = (argv: string[], io: CliIo = processIo()): Promise<number> => runCommand(testCommand, argv, io);
