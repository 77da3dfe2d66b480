import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, type FlagSpec } from '../../src/cli/flags.js';

const specs: FlagSpec[] = [
  { name: 'file', short: 'f', kind: 'list', description: '' },
  { name: 'format', kind: 'string', default: 'table', description: '' },
  { name: 'max-depth', short: 'd', kind: 'int', default: 0, description: '' },
  { name: 'force', kind: 'bool', description: '' },
  { name: 'quiet', short: 'q', kind: 'bool', description: '' },
];

test('flags may sit anywhere among positionals, in every pflag spelling', () => {
  const a = parseArgs(['User:alice', '-f', 'a.json', 'view', '--format=json', '-f=b.json', '-fc.json,d.json', '--max-depth', '3', 'Doc:x'], specs);
  assert.deepEqual(a.positionals, ['User:alice', 'view', 'Doc:x']);
  assert.deepEqual(a.list('file'), ['a.json', 'b.json', 'c.json', 'd.json']);
  assert.equal(a.string('format'), 'json');
  assert.equal(a.int('max-depth'), 3);
  assert.equal(a.bool('force'), false);
  assert.ok(a.changed.has('format') && !a.changed.has('force'));
});

test('defaults apply to flags that are not given; "-" and everything after "--" are positionals', () => {
  const a = parseArgs(['-', '--', '--force', '-q'], specs);
  assert.deepEqual(a.positionals, ['-', '--force', '-q']);
  assert.equal(a.string('format'), 'table');
  assert.equal(a.int('max-depth'), 0);
  assert.deepEqual(a.list('file'), []);
});

test('booleans take an optional =value', () => {
  assert.equal(parseArgs(['--force=false'], specs).bool('force'), false);
  assert.equal(parseArgs(['--force'], specs).bool('force'), true);
  assert.equal(parseArgs(['-q'], specs).bool('quiet'), true);
  assert.throws(() => parseArgs(['--force=maybe'], specs), /invalid argument "maybe" for --force flag/);
});

test('--help and -h ask for help', () => {
  assert.equal(parseArgs(['x', '--help'], specs).help, true);
  assert.equal(parseArgs(['-h'], specs).help, true);
});

test('bad command lines are usage errors with pflag-like messages', () => {
  const cases: [string[], RegExp][] = [
    [['--nope'], /unknown flag: --nope/],
    [['-z'], /unknown shorthand flag: 'z' in -z/],
    [['--format'], /flag needs an argument: --format/],
    [['-d', 'x'], /invalid argument "x" for -d flag: expected a 32-bit integer/],
    [['--max-depth=99999999999'], /expected a 32-bit integer/],
    [['-qf'], /combined shorthand flags are not supported/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseArgs(argv, specs), (err) => err instanceof UsageError && message.test(err.message));
});
