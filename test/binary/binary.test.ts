/**
 * The single executable (`npm run build:binary`): built once into a temporary directory, then
 * run as an operator would, with no node_modules or dist/ beside it: version, serve on SQLite
 * until ready, a write and checks over REST, a check from its own CLI over gRPC, SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let binary: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-binary-'));
  binary = join(dir, 'gatehouse');
  await run(process.execPath, [join(REPO, 'scripts', 'build-binary.js'), binary], { cwd: REPO });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the binary from an empty directory, so nothing it needs can come from the checkout. */
async function binaryRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  try {
    const { stdout, stderr } = await run(binary, args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('version prints the package version', async () => {
  assert.deepEqual(await binaryRun(['version']), { code: 0, stdout: `Version:    ${PACKAGE_VERSION}\n`, stderr: '' });
});

test('serve on SQLite: ready, a write, checks over REST and from the CLI over gRPC, and SIGTERM exits 0', async () => {
  let gh: GatehouseProcess | undefined;
  try {
    gh = await startGatehouseProcess({
      command: [binary],
      args: ['--migrate'],
      config: { dsn: `sqlite://${join(dir, 'smoke.sqlite')}?_fk=true`, namespaces: [{ name: 'Group' }] },
    });
    assert.deepEqual(await (await fetch(`${gh.url.read}/health/ready`)).json(), { status: 'ok' });

    const tuple = { namespace: 'Group', object: 'eng', relation: 'members', subject_id: 'alice' };
    const put = await fetch(`${gh.url.write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(tuple) });
    assert.equal(put.status, 201);

    const check = (subject: string) =>
      fetch(`${gh!.url.read}/relation-tuples/check?namespace=Group&object=eng&relation=members&subject_id=${subject}`);
    const allowed = await check('alice');
    assert.deepEqual([allowed.status, await allowed.json()], [200, { allowed: true }]);
    const denied = await check('bob');
    assert.deepEqual([denied.status, await denied.json()], [403, { allowed: false }]);

    const remote = ['--read-remote', gh.grpc.read, '--insecure-disable-transport-security'];
    assert.deepEqual(await binaryRun(['check', 'alice', 'members', 'Group:eng', ...remote]), {
      code: 0,
      stdout: 'Allowed\n',
      stderr: '',
    });
    const stopped = gh;
    gh = undefined;
    assert.equal(await stopped.stop('SIGTERM'), 0);
  } finally {
    await gh?.stop('SIGKILL');
  }
});
