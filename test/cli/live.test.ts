/**
 * The command line as a person or a script runs it: `bin/gatehouse.js` in child processes
 * against a live server started on free ports, comparing stdout, stderr and exit codes
 * with Keto's documented behaviour.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEHOUSE_BIN, startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

let server: GatehouseProcess;
let dir: string;
let env: Record<string, string>;

before(async () => {
  server = await startGatehouseProcess({ config: { namespaces: [{ name: 'Doc' }, { name: 'User' }, { name: 'Group' }] } });
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-live-'));
  env = { ...(process.env as Record<string, string>), KETO_READ_REMOTE: server.grpc.read, KETO_WRITE_REMOTE: server.grpc.write };
  delete env.GATEHOUSE_READ_REMOTE;
  delete env.GATEHOUSE_WRITE_REMOTE;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** No command line here should take longer; a stuck one is killed so the suite always ends. */
const COMMAND_TIMEOUT_MS = 60_000;

/** Runs a shell command line in which `gatehouse` is the CLI under test. */
function sh(commandLine: string, stdin = ''): Promise<Result> {
  const gatehouse = `'${process.execPath}' '${GATEHOUSE_BIN}'`;
  // A process group of its own, so a timeout ends every process of a pipeline.
  const child = spawn('sh', ['-c', commandLine.replaceAll('gatehouse ', `${gatehouse} `)], { env, cwd: dir, detached: true });
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), COMMAND_TIMEOUT_MS);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(stdin);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const PLAIN = '--insecure-disable-transport-security';

/** Runs a command line that must succeed. */
async function ok(commandLine: string): Promise<Result> {
  const result = await sh(commandLine);
  assert.equal(result.code, 0, `${commandLine}\n${result.stderr}`);
  return result;
}

test('status reports SERVING on the read and write endpoints', async () => {
  assert.deepEqual(await sh(`gatehouse status ${PLAIN}`), { code: 0, stdout: 'SERVING\n', stderr: '' });
  assert.deepEqual(await sh(`gatehouse status --endpoint write --block ${PLAIN}`), { code: 0, stdout: 'SERVING\n', stderr: '' });
  const tls = await sh('gatehouse status');
  assert.equal(tls.code, 4);
  assert.match(tls.stderr, /^Error: Could not make request: TLS handshake with .* failed .*\(hint: the server may serve plaintext HTTP\/2: pass --insecure-disable-transport-security\)\n$/);
});

test('parse piped into create -, read back with get', async () => {
  writeFileSync(join(dir, 'tuples.txt'), '// the team\nDoc:readme#owner@User:alice\nDoc:readme#view@(Group:eng#member)\nGroup:eng#member@bob\n');
  const piped = await sh(`gatehouse relation-tuple parse -f tuples.txt --format json | gatehouse relation-tuple create -f - ${PLAIN}`);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(
    piped.stdout,
    'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\t\t\n' +
      'Doc\t\treadme\towner\t\tUser:alice\t\t\n' +
      'Doc\t\treadme\tview\t\tGroup:eng#member\t\n' +
      'Group\t\teng\tmember\t\tbob\t\t\t\n',
  );
  const got = await sh(`gatehouse relation-tuple get --namespace Doc --object readme ${PLAIN}`);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(
    got.stdout,
    'NAMESPACE\tOBJECT\tRELATION NAME\tSUBJECT\t\t\t\n' +
      'Doc\t\treadme\towner\t\tUser:alice\t\t\n' +
      'Doc\t\treadme\tview\t\tGroup:eng#member\t\n' +
      '\t\t\n' +
      'NEXT PAGE TOKEN\t\t\n' +
      'IS LAST PAGE\ttrue\t\n',
  );
  const json = await sh(`gatehouse relation-tuple get --namespace Group --format json ${PLAIN}`);
  assert.deepEqual(JSON.parse(json.stdout), {
    relation_tuples: [{ namespace: 'Group', object: 'eng', relation: 'member', subject_id: 'bob' }],
    is_last_page: true,
    next_page_token: '',
  });
});

test('check answers Allowed/Denied with exit codes 0/1, directly and through a subject set', async () => {
  for (const tuple of ['carol edit Doc:guide', 'Group:ops#member edit Doc:guide', 'dave member Group:ops']) {
    const created = await sh(`gatehouse relation-tuple create ${tuple} ${PLAIN}`);
    assert.equal(created.code, 0, created.stderr);
  }
  assert.deepEqual(await sh(`gatehouse check carol edit Doc:guide ${PLAIN}`), { code: 0, stdout: 'Allowed\n', stderr: '' });
  assert.deepEqual(await sh(`gatehouse check dave edit Doc:guide ${PLAIN}`), { code: 0, stdout: 'Allowed\n', stderr: '' });
  assert.deepEqual(await sh(`gatehouse check erin edit Doc:guide ${PLAIN} --format json`), { code: 1, stdout: '{"allowed":false}\n', stderr: '' });
  const legacy = await sh(`gatehouse check carol edit Doc guide ${PLAIN}`);
  assert.equal(legacy.code, 0);
  assert.match(legacy.stderr, /deprecated/);
  assert.deepEqual(await sh(`gatehouse check carol edit Nope:guide ${PLAIN}`), {
    code: 3,
    stdout: '',
    stderr:
      'Error: Could not make request: The requested resource could not be found: Unknown namespace with name "Nope". [NOT_FOUND] ' +
      "(hint: check the namespace name against the server's namespace configuration)\n",
  });
});

test('expand shows who has the relation', async () => {
  await ok(`gatehouse relation-tuple create frank view Doc:expandme ${PLAIN}`);
  const tree = await sh(`gatehouse expand view Doc:expandme --format json ${PLAIN}`);
  assert.equal(tree.code, 0, tree.stderr);
  assert.deepEqual(JSON.parse(tree.stdout), {
    type: 'union',
    children: [{ type: 'leaf', tuple: { namespace: '', object: '', relation: '', subject_id: 'frank' } }],
    tuple: { namespace: '', object: '', relation: '', subject_set: { namespace: 'Doc', object: 'expandme', relation: 'view' } },
  });
  // Keto draws a leaf with a variation selector (U+FE0F) after the subject.
  assert.deepEqual(await sh(`gatehouse expand view Doc:expandme ${PLAIN}`), {
    code: 0,
    stdout: 'or :#@Doc:expandme#view\n└──∋ :#@frank\uFE0F\n',
    stderr: '',
  });
  assert.deepEqual(await sh(`gatehouse expand view Doc:nothing ${PLAIN}`), { code: 0, stdout: '∋ :#@Doc:nothing#view\uFE0F\n', stderr: '' });
});

test('delete and delete-all remove tuples', async () => {
  await ok(`gatehouse relation-tuple create u1 view Doc:gone ${PLAIN}`);
  await ok(`gatehouse relation-tuple create u2 view Doc:gone ${PLAIN}`);
  await ok(`gatehouse relation-tuple create u3 view Doc:gone ${PLAIN}`);
  const deleted = await sh(`gatehouse relation-tuple delete u1 view Doc:gone ${PLAIN}`);
  assert.equal(deleted.code, 0, deleted.stderr);
  const preview = await sh(`gatehouse relation-tuple delete-all --namespace Doc --object gone ${PLAIN}`);
  assert.match(preview.stdout, /^WARNING: This operation is not reversible/);
  assert.equal((await sh(`gatehouse relation-tuple get --namespace Doc --object gone -q ${PLAIN}`)).stdout, 'Doc:gone#view@u2\nDoc:gone#view@u3\n');
  assert.equal((await sh(`gatehouse relation-tuple delete-all --namespace Doc --object gone --force ${PLAIN}`)).code, 0);
  assert.equal((await sh(`gatehouse relation-tuple get --namespace Doc --object gone -q ${PLAIN}`)).stdout, '\n');
});

test('import streams 2500 tuples in batches; export streams them back; a saved export restores them', async () => {
  const lines = Array.from({ length: 2500 }, (_, i) => `User:u${i}#member@(Group:g${i % 7}#member)`);
  writeFileSync(join(dir, 'bulk.txt'), lines.join('\n') + '\n');
  const imported = await sh(`gatehouse relation-tuple import bulk.txt --batch-size 400 --progress-file bulk.progress ${PLAIN}`);
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stdout, 'Imported 2500 tuples from 2500 lines.\n');
  const exported = await sh(`gatehouse relation-tuple export --namespace User --output-format text ${PLAIN}`);
  assert.equal(exported.code, 0, exported.stderr);
  assert.deepEqual(exported.stdout.trimEnd().split('\n').sort(), lines.map((l) => l.replace(/[()]/g, '')).sort());
  const saved = await sh(`gatehouse relation-tuple export --namespace User -o users.jsonl ${PLAIN}`);
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal((await sh(`gatehouse relation-tuple delete-all --namespace User --force ${PLAIN}`)).code, 0);
  const restored = await sh(`gatehouse relation-tuple import - --input-format jsonl --batch-size 1000 ${PLAIN} < users.jsonl`);
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(restored.stdout, 'Imported 2500 tuples from 2500 lines.\n');
  const again = await sh(`gatehouse relation-tuple export --namespace User --output-format text ${PLAIN}`);
  assert.deepEqual(again.stdout.trimEnd().split('\n').sort(), lines.map((l) => l.replace(/[()]/g, '')).sort());
});

test('usage errors exit 2 with one line and a hint', async () => {
  const result = await sh('gatehouse check only-one-arg');
  assert.deepEqual(result, { code: 2, stdout: '', stderr: "Error: accepts between 3 and 4 arg(s), received 1 (hint: run 'gatehouse check --help' for usage)\n" });
});
