/**
 * Every client command run in-process against a stand-in of the tuple services, checking
 * stdout, stderr and exit codes against Keto's CLI behaviour.
 */
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import * as relationTuple from '../../src/cli/relation-tuple.js';
import * as check from '../../src/cli/check.js';
import * as expand from '../../src/cli/expand.js';
import * as status from '../../src/cli/status.js';
import { captureIo } from './capture-io.js';
import { startFakeKeto, type FakeKeto } from './fake-keto.js';

let keto: FakeKeto;
let dir: string;

before(async () => {
  keto = await startFakeKeto(['Doc', 'User', 'Group']);
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-cmd-'));
});
after(async () => {
  await keto.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  keto.tuples.length = 0;
  keto.failTransactions.clear();
});

type Run = (argv: string[], io: ReturnType<typeof captureIo>) => Promise<number>;

async function cli(run: Run, argv: string[], options: { stdin?: string; env?: Record<string, string>; remote?: boolean } = {}) {
  const io = captureIo({ stdin: options.stdin, env: options.env });
  const remote =
    options.remote === false ? [] : ['--read-remote', keto.address, '--write-remote', keto.address, '--insecure-disable-transport-security'];
  const code = await run([...argv, ...remote], io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}
const rt = (argv: string[], options?: Parameters<typeof cli>[2]) => cli(relationTuple.run, argv, options);

const TABLE_ALICE = 'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\t\nDoc\t\treadme\towner\t\tUser:alice\t\n';

test('create inline prints the tuple table; check answers Allowed (0) and Denied (1)', async () => {
  const created = await rt(['create', 'User:alice', 'owner', 'Doc:readme']);
  assert.deepEqual(created, { code: 0, stdout: TABLE_ALICE, stderr: '' });
  assert.deepEqual(await cli(check.run, ['User:alice', 'owner', 'Doc:readme']), { code: 0, stdout: 'Allowed\n', stderr: '' });
  assert.deepEqual(await cli(check.run, ['User:bob', 'owner', 'Doc:readme']), { code: 1, stdout: 'Denied\n', stderr: '' });
  assert.deepEqual(await cli(check.run, ['User:bob', 'owner', 'Doc:readme', '--format', 'json']), { code: 1, stdout: '{"allowed":false}\n', stderr: '' });
  const call = keto.calls.filter((c) => c.path.endsWith('/Check')).pop()!;
  assert.deepEqual(call.request.tuple.subject.set, { namespace: 'User', object: 'bob', relation: '' });
});

test('check: the deprecated four-argument form works with a warning; a bad object is a usage error', async () => {
  await rt(['create', 'alice', 'view', 'Doc:readme']);
  const legacy = await cli(check.run, ['alice', 'view', 'Doc', 'readme', '-d', '2']);
  assert.equal(legacy.code, 0);
  assert.equal(legacy.stdout, 'Allowed\n');
  assert.match(legacy.stderr, /deprecated/);
  assert.equal(keto.calls.filter((c) => c.path.endsWith('/Check')).pop()!.request.maxDepth, 2);
  const bad = await cli(check.run, ['alice', 'view', 'no-colon-here']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, `Error: expected <object_namespace>:<object_id> format, got "no-colon-here" (hint: run 'gatehouse check --help' for usage)\n`);
  assert.equal((await cli(check.run, ['alice', 'view'])).code, 2);
});

test('server errors are one line on stderr with a hint and exit 3; an unreachable server exits 4', async () => {
  const unknown = await cli(check.run, ['alice', 'view', 'Nope:x']);
  assert.equal(unknown.code, 3);
  assert.equal(unknown.stderr, `Error: Could not make request: Unknown namespace with name "Nope". [NOT_FOUND] (hint: check the namespace name against the server's namespace configuration)\n`);
  const io = captureIo();
  const code = await check.run(['alice', 'view', 'Doc:x', '--read-remote', '127.0.0.1:1', '--insecure-disable-transport-security'], io);
  assert.equal(code, 4);
  assert.equal(io.stderrText().split('\n').length, 2);
  assert.match(io.stderrText(), /^Error: Could not make request: connection refused by 127\.0\.0\.1:1 \[UNAVAILABLE\] \(hint: /);
});

test('the remote comes from the flag, then GATEHOUSE_*_REMOTE, then KETO_*_REMOTE, else the default with a notice', async () => {
  const plain = '--insecure-disable-transport-security';
  const viaKeto = await cli(check.run, ['alice', 'view', 'Doc:x', plain], { remote: false, env: { KETO_READ_REMOTE: keto.address } });
  assert.equal(viaKeto.code, 1);
  const viaOwn = await cli(check.run, ['alice', 'view', 'Doc:x', plain], { remote: false, env: { GATEHOUSE_READ_REMOTE: keto.address, KETO_READ_REMOTE: '127.0.0.1:1' } });
  assert.equal(viaOwn.code, 1);
  const fallback = await cli(check.run, ['alice', 'view', 'Doc:x', plain, '--timeout', '2s'], { remote: false });
  assert.match(fallback.stderr, /^neither flag --read-remote nor env var KETO_READ_REMOTE are set, falling back to 127\.0\.0\.1:4466\n/);
});

test('create and delete read JSON files, directories and stdin; get reads them back', async () => {
  const one = { namespace: 'Doc', object: 'a', relation: 'view', subject_id: 'alice' };
  const two = { namespace: 'Doc', object: 'b', relation: 'view', subject_set: { namespace: 'Group', object: 'eng', relation: 'member' } };
  writeFileSync(join(dir, 'one.json'), JSON.stringify(one));
  const created = await rt(['create', '-f', join(dir, 'one.json'), '-f', '-', '--format', 'json'], { stdin: JSON.stringify([two]) });
  assert.equal(created.code, 0);
  assert.deepEqual(JSON.parse(created.stdout), [one, two]);

  const page = await rt(['get', '--namespace', 'Doc', '--format', 'json']);
  assert.deepEqual(JSON.parse(page.stdout), { relation_tuples: [one, two], is_last_page: true, next_page_token: '' });
  const bySet = await rt(['get', '--namespace', 'Doc', '--subject-set', 'Group:eng#member', '-q']);
  assert.equal(bySet.stdout, 'Doc:b#view@Group:eng#member\n');

  const deleted = await rt(['delete', '-f', join(dir, 'one.json')]);
  assert.equal(deleted.code, 0);
  assert.deepEqual((await rt(['get', '--namespace', 'Doc', '-q'])).stdout, 'Doc:b#view@Group:eng#member\n');
});

test('create without tuples or with a bad file fails like Keto', async () => {
  const none = await rt(['create', 'file1.json', 'file2.json']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Error: expected inline arguments or JSON files and folders/);
  writeFileSync(join(dir, 'invalid.json'), 'not valid json');
  const invalid = await rt(['create', `-f=${join(dir, 'invalid.json')}`]);
  assert.equal(invalid.code, 3);
  assert.match(invalid.stderr, /could not decode/);
  const missing = await rt(['create', '-f=/nonexistent/file.json']);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /error getting stats/);
  const noColon = await rt(['create', 'sns:so1', 'rel', 'nsobj']);
  assert.match(noColon.stderr, /expected <object_namespace>:<object_id> format, got "nsobj"/);
  assert.equal(keto.tuples.length, 0);
});

test('get pages with --page-size and --page-token and prints the token rows', async () => {
  for (const o of ['a', 'b', 'c']) await rt(['create', 'alice', 'view', `Doc:${o}`]);
  const first = await rt(['get', '--namespace', 'Doc', '--page-size', '2']);
  assert.equal(
    first.stdout,
    'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\nDoc\t\ta\tview\t\talice\t\nDoc\t\tb\tview\t\talice\t\n\t\t\nNEXT PAGE TOKEN\t\t\nIS LAST PAGE\tfalse\t\n'.replace(
      'NEXT PAGE TOKEN\t\t',
      'NEXT PAGE TOKEN\t2\t',
    ),
  );
  const second = await rt(['get', '--namespace', 'Doc', '--page-size', '2', '--page-token', '2', '--format', 'json']);
  assert.deepEqual(JSON.parse(second.stdout).is_last_page, true);
  assert.equal(JSON.parse(second.stdout).relation_tuples.length, 1);
  const legacy = await rt(['get', '--subject', 'x']);
  assert.equal(legacy.code, 2);
  assert.match(legacy.stderr, /usage of --subject is not supported anymore, use --subject-id or --subject-set respectively/);
});

test('delete-all previews without --force and deletes the matches with it', async () => {
  await rt(['create', 'alice', 'view', 'Doc:a']);
  await rt(['create', 'bob', 'view', 'Doc:b']);
  const preview = await rt(['delete-all', '--namespace', 'Doc', '--subject-id', 'alice']);
  assert.equal(preview.code, 0);
  assert.ok(preview.stdout.startsWith('WARNING: This operation is not reversible. Please use the `--force` flag to proceed.\nThese tuples would be deleted:\n\n'));
  assert.match(preview.stdout, /Doc\t\ta\tview\t\talice/);
  assert.equal(keto.tuples.length, 2);
  const forced = await rt(['delete-all', '--namespace', 'Doc', '--subject-id', 'alice', '--force']);
  assert.deepEqual(forced, { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(keto.tuples.map((t) => t.object), ['b']);
});

test('parse turns the text form into JSON that create reads from stdin', async () => {
  const text = '// team\nDoc:readme#owner@User:alice\nDoc:readme#view@(Group:eng#member)\n';
  const parsed = await cli(relationTuple.run, ['parse', '-f', '-', '--format', 'json'], { stdin: text, remote: false });
  assert.equal(parsed.code, 0);
  const created = await rt(['create', '-f', '-'], { stdin: parsed.stdout });
  assert.equal(created.code, 0);
  const listed = await rt(['get', '--namespace', 'Doc', '-q']);
  assert.equal(listed.stdout, 'Doc:readme#owner@User:alice\nDoc:readme#view@Group:eng#member\n');
  const single = await cli(relationTuple.run, ['parse', '-f', '-'], { stdin: 'Doc:readme#owner@User:alice', remote: false });
  assert.equal(single.stdout, 'NAMESPACE\tDoc\t\t\nOBJECT ID\treadme\t\t\nRELATION NAME\towner\t\t\nSUBJECT\t\tUser:alice\t\n');
  const noFile = await cli(relationTuple.run, ['parse'], { remote: false });
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /at least one file must be specified with -f/);
});

test('expand draws the tree, prints JSON, and explains an empty tree', async () => {
  await rt(['create', 'alice', 'view', 'Doc:readme']);
  const drawn = await cli(expand.run, ['view', 'Doc:readme']);
  assert.equal(drawn.stdout, 'or Doc:readme#view@Doc:readme#view\n└──∋ Doc:readme#view@alice\uFE0F\n');
  const json = await cli(expand.run, ['view', 'Doc', 'readme', '--format', 'json']);
  assert.match(json.stderr, /deprecated/);
  assert.equal(JSON.parse(json.stdout).children[0].tuple.subject_id, 'alice');
  const empty = await cli(expand.run, ['view', 'Doc:nothing']);
  assert.equal(empty.stdout, 'Got an empty tree. This probably means that the requested relation tuple is not present in Keto.\n');
  assert.equal((await cli(expand.run, ['view', 'Doc:nothing', '--format', 'json'])).stdout, 'null\n');
  // As in Keto, only the format named "default" ends the drawing with a newline or explains an empty tree.
  const table = await cli(expand.run, ['view', 'Doc:readme', '--format', 'table']);
  assert.equal(table.stdout, 'or Doc:readme#view@Doc:readme#view\n└──∋ Doc:readme#view@alice\uFE0F');
  assert.equal((await cli(expand.run, ['view', 'Doc:nothing', '--format', 'table'])).stdout, '');
  const path = await cli(expand.run, ['view', 'Doc:readme', '--format', 'jsonpath=children.#.tuple.subject_id']);
  assert.deepEqual(path, { code: 0, stdout: '[\n  "alice"\n]\n', stderr: '' });
});

test('every command with --format takes jsonpath and jsonpointer', async () => {
  const checksBefore = keto.calls.filter((c) => c.path.endsWith('/Check')).length;
  const created = await rt(['create', 'alice', 'view', 'Doc:readme', '--format', 'jsonpath=0.subject_id']);
  assert.equal(created.stdout, '"alice"\n');
  await rt(['create', 'bob', 'view', 'Doc:notes']);
  const objects = await rt(['get', '--namespace', 'Doc', '--format', 'jsonpath=relation_tuples.#.object']);
  assert.deepEqual(objects, { code: 0, stdout: '[\n  "readme",\n  "notes"\n]\n', stderr: '' });
  const bob = await rt(['get', '--namespace', 'Doc', '--format=jsonpath=relation_tuples.#(subject_id=="bob").object']);
  assert.equal(bob.stdout, '"notes"\n');
  const allowed = await cli(check.run, ['alice', 'view', 'Doc:readme', '--format', 'jsonpath=allowed']);
  assert.deepEqual(allowed, { code: 0, stdout: 'true\n', stderr: '' });
  const pointer = await cli(check.run, ['bob', 'view', 'Doc:readme', '--format', 'jsonpointer=/allowed']);
  assert.deepEqual(pointer, { code: 1, stdout: 'false\n', stderr: '' });
  const parsed = await cli(relationTuple.run, ['parse', '-f', '-', '--format', 'jsonpath=subject_set.object'], { stdin: 'Doc:readme#owner@User:alice', remote: false });
  assert.equal(parsed.stdout, '"alice"\n');
  const preview = await rt(['delete-all', '--namespace', 'Doc', '--format', 'jsonpath=relation_tuples.#']);
  assert.ok(preview.stdout.endsWith('\n\n2\n'));
  const refused = await cli(check.run, ['alice', 'view', 'Doc:readme', '--format', 'jsonpath=allowed|@reverse']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^Error: the jsonpath "allowed\|@reverse" uses a pipe \(\|\), which gatehouse does not support; supported: /);
  assert.equal(keto.calls.filter((c) => c.path.endsWith('/Check')).length, checksBefore + 2);
});

test('status prints the health status; --block waits until SERVING', async () => {
  assert.deepEqual(await cli(status.run, []), { code: 0, stdout: 'SERVING\n', stderr: '' });
  keto.healthSequence.push('NOT_SERVING');
  assert.deepEqual(await cli(status.run, ['--endpoint', 'write']), { code: 4, stdout: 'NOT_SERVING\n', stderr: '' });
  keto.healthSequence.push('NOT_SERVING', 'NOT_SERVING');
  const blocked = await cli(status.run, ['--block']);
  assert.equal(blocked.code, 0);
  assert.equal(blocked.stdout, 'Got the status NOT_SERVING, waiting until SERVING.\nGot the status NOT_SERVING, waiting until SERVING.\nSERVING\n');
  const bad = await cli(status.run, ['--endpoint', 'opl']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected one of \[read write\] but got "opl"/);
});

test('--help on every command shows usage and an example', async () => {
  for (const [run, argv] of [
    [check.run, ['--help']],
    [expand.run, ['--help']],
    [status.run, ['--help']],
    ...['create', 'delete', 'delete-all', 'get', 'parse', 'import', 'export'].map((c) => [relationTuple.run, [c, '--help']] as const),
    [relationTuple.run, ['--help']],
  ] as const) {
    const io = captureIo();
    assert.equal(await (run as Run)([...argv], io), 0);
    assert.match(io.stdoutText(), /Usage:\n {2}gatehouse /);
    assert.match(io.stdoutText(), /Examples:\n {2}gatehouse /);
  }
  const unknown = await rt(['nope']);
  assert.equal(unknown.code, 2);
  const bare = await cli(relationTuple.run, [], { remote: false });
  assert.equal(bare.code, 0);
  assert.match(bare.stdout, /^Read and manipulate relationships\n\nUsage:\n {2}gatehouse relation-tuple <command> \[flags\]\n/);
  assert.equal(bare.stderr, '');
});

test('create and delete from files without a tuple send an empty transaction and print null as JSON, as Keto does', async () => {
  writeFileSync(join(dir, 'empty.json'), '[]');
  const before = keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).length;
  for (const verb of ['create', 'delete']) {
    assert.deepEqual(await rt([verb, '-f', join(dir, 'empty.json'), '--format', 'json']), { code: 0, stdout: 'null\n', stderr: '' });
  }
  const table = await rt(['create', '-f', join(dir, 'empty.json')]);
  assert.equal(table.stdout, 'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\n');
  assert.equal(keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).length, before + 3);
});

test('import streams JSON lines in batches and export writes them back', async () => {
  const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ namespace: 'Doc', object: `o${i}`, relation: 'view', subject_id: `u${i}` }));
  writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');
  const imported = await rt(['import', join(dir, 'in.jsonl'), '--batch-size', '10', '--concurrency', '2']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stdout, 'Imported 25 tuples from 25 lines.\n');
  assert.equal(keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).slice(-3).map((c) => c.request.relationTupleDeltas.length).sort().join(), '10,10,5');
  const exported = await rt(['export', '--page-size', '7']);
  assert.equal(exported.code, 0);
  assert.deepEqual(exported.stdout.trimEnd().split('\n').sort(), [...lines].sort());
  const text = await rt(['export', '--output-format', 'text', '--object', 'o3']);
  assert.equal(text.stdout, 'Doc:o3#view@u3\n');
});

test('import of the text form stops at a failed batch and resumes from the progress file', async () => {
  const lines = ['// header', ...Array.from({ length: 30 }, (_, i) => `Doc:o${i}#view@u${i}`)];
  const input = join(dir, 'in.txt');
  const progressFile = join(dir, 'import.progress');
  writeFileSync(input, lines.join('\n'));
  const before = keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).length;
  keto.failTransactions.add(before + 1);
  const failed = await rt(['import', input, '--batch-size', '10', '--concurrency', '1', '--progress-file', progressFile]);
  assert.equal(failed.code, 4);
  assert.match(failed.stderr, /^Error: Could not make request: the database is unavailable \[UNAVAILABLE\]; lines 1-11 are imported \(hint: resume with --resume-from 11/);
  assert.equal(keto.tuples.length, 10);
  assert.deepEqual(JSON.parse(readFileSync(progressFile, 'utf8')), { input, line: 11, tuples: 10 });

  const resumed = await rt(['import', input, '--batch-size', '10', '--progress-file', progressFile]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /Resuming after line 11 \(10 tuples already imported/);
  assert.equal(resumed.stdout, 'Imported 30 tuples from 31 lines (resumed after line 11).\n');
  assert.equal(keto.tuples.length, 30);
  assert.equal(new Set(keto.tuples.map((t) => t.object)).size, 30);
  assert.equal(existsSync(progressFile), false);
});

test('import reports the line of a bad tuple and refuses a JSON array', async () => {
  writeFileSync(join(dir, 'bad.txt'), 'Doc:a#view@u\nnot-a-tuple\n');
  const bad = await rt(['import', join(dir, 'bad.txt')]);
  assert.equal(bad.code, 3);
  assert.equal(
    bad.stderr,
    `Error: line 2: could not decode "not-a-tuple": malformed string input (expected input to contain ':'); lines 1-1 are imported ` +
      '(hint: fix line 2; then resume with --resume-from 1 (or run the same command again with --progress-file))\n',
  );
  assert.equal(keto.tuples.length, 1);
  writeFileSync(join(dir, 'array.json'), '[{"namespace":"Doc"}]');
  const array = await rt(['import', join(dir, 'array.json')]);
  assert.equal(array.code, 3);
  assert.match(array.stderr, /jq -c/);
});

test('create writes more than 10 000 tuples in consecutive transactions and says so', async () => {
  const tuples = Array.from({ length: 10_001 }, (_, i) => ({ namespace: 'Doc', object: `o${i}`, relation: 'view', subject_id: 'u' }));
  writeFileSync(join(dir, 'many.json'), JSON.stringify(tuples));
  const before = keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).length;
  const created = await rt(['create', '-f', join(dir, 'many.json'), '-q']);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stderr, 'Writing 10001 tuples in 2 transactions of up to 10000; for resumable bulk loads use `gatehouse relation-tuple import`.\n');
  assert.deepEqual(keto.calls.filter((c) => c.path.endsWith('/TransactRelationTuples')).slice(before).map((c) => c.request.relationTupleDeltas.length), [10_000, 1]);
  assert.equal(keto.tuples.length, 10_001);
});

test('a progress bar is drawn on stderr only when it is a terminal', async () => {
  const lines = Array.from({ length: 50 }, (_, i) => `Doc:p${i}#view@u`).join('\n');
  writeFileSync(join(dir, 'bar.txt'), lines);
  const args = ['import', join(dir, 'bar.txt'), '--batch-size', '10', '--read-remote', keto.address, '--write-remote', keto.address, '--insecure-disable-transport-security'];
  const terminal = captureIo({ tty: true });
  assert.equal(await relationTuple.run(args, terminal), 0);
  assert.match(terminal.stderrText(), /\r\x1b\[2K\[#{24}\] 100% 50 tuples, [\d,]+\/s\n$/);
  const pipe = captureIo();
  assert.equal(await relationTuple.run(args, pipe), 0);
  assert.equal(pipe.stderrText(), '');
});

test('KETO_BEARER_TOKEN and KETO_AUTHORITY (or --authority) reach the server', async () => {
  await cli(check.run, ['alice', 'view', 'Doc:x'], { env: { KETO_BEARER_TOKEN: 'tok', KETO_AUTHORITY: 'keto.internal' } });
  const fromEnv = keto.calls.filter((c) => c.path.endsWith('/Check')).pop()!;
  assert.equal(fromEnv.headers.authorization, 'Bearer tok');
  assert.equal(fromEnv.headers[':authority'], 'keto.internal');
  await cli(check.run, ['alice', 'view', 'Doc:x', '--authority', 'flag.internal'], { env: { KETO_AUTHORITY: 'keto.internal' } });
  const fromFlag = keto.calls.filter((c) => c.path.endsWith('/Check')).pop()!;
  assert.equal(fromFlag.headers[':authority'], 'flag.internal');
  assert.equal(fromFlag.headers.authorization, undefined);
});

test('Ctrl-C during import writes what was read, says where to resume and exits 130', async () => {
  let io: ReturnType<typeof captureIo> | undefined;
  async function* input() {
    for (let i = 1; i <= 25; i++) yield Buffer.from(`Doc:i${i}#view@u\n`);
    io!.interrupt();
    for (let i = 26; i <= 40; i++) yield Buffer.from(`Doc:i${i}#view@u\n`);
  }
  io = captureIo({ stdinStream: Readable.from(input()) });
  const code = await relationTuple.run(
    ['import', '-', '--batch-size', '10', '--read-remote', keto.address, '--write-remote', keto.address, '--insecure-disable-transport-security'],
    io,
  );
  assert.equal(code, 130);
  assert.match(io.stderrText(), /Interrupted: finishing the transactions in flight/);
  // The input stream reads a little ahead, so the stop comes a line or two before line 25.
  const resume = /Error: interrupted; lines 1-(\d+) are imported \(hint: resume with --resume-from (\d+)/.exec(io.stderrText());
  assert.ok(resume, io.stderrText());
  assert.equal(resume[1], resume[2]);
  assert.ok(Number(resume[1]) >= 20 && Number(resume[1]) <= 25);
  assert.equal(keto.tuples.length, Number(resume[1]));
});
