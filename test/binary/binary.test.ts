/**
 * The single executable (`npm run build:binary`): built once into a temporary directory, then
 * run as an operator would, with no node_modules or dist/ beside it: version, serve on SQLite
 * until ready, a write and checks over REST, a check from its own CLI over gRPC, SIGTERM; and
 * the Dockerfile's command lines (CMD, HEALTHCHECK), which run this executable in the image.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { mysqlDatabase, postgresDatabase, type TestDatabase } from '../store/databases.js';
import { imageNodeOptions } from '../support/image.js';
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
async function binaryRun(args: string[], env: Record<string, string> = {}, executable = binary): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(dir, 'cwd-'));
  try {
    const { stdout, stderr } = await run(executable, args, { cwd, env: { ...process.env, ...env } });
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

const SQL_SERVERS: ReadonlyArray<{ name: string; variable: string; create: (adminDsn: string) => Promise<TestDatabase> }> = [
  { name: 'PostgreSQL', variable: 'TEST_POSTGRES_DSN', create: postgresDatabase },
  { name: 'MySQL', variable: 'TEST_MYSQL_DSN', create: mysqlDatabase },
];

for (const { name, variable, create } of SQL_SERVERS) {
  const adminDsn = process.env[variable];
  test(`migrate up and serve on ${name}, with nothing on stderr`, { skip: adminDsn ? false : `${variable} is not set` }, async (t) => {
    const database = await create(adminDsn!);
    t.after(() => database.drop());
    const env = { DSN: database.dsn };
    const migrated = await binaryRun(['migrate', 'up', '--yes'], env);
    assert.deepEqual([migrated.code, migrated.stderr], [0, '']);
    const gh = await startGatehouseProcess({ command: [binary], config: { namespaces: [{ name: 'Group' }] }, env });
    const put = await fetch(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      body: JSON.stringify({ namespace: 'Group', object: 'eng', relation: 'members', subject_id: 'alice' }),
    });
    assert.equal(put.status, 201);
    assert.equal(await gh.stop(), 0);
    assert.equal(gh.stderr(), '');
  });
}

/** A JSON-form instruction of the Dockerfile (continuation lines joined). */
function dockerInstruction(dockerfile: string, pattern: RegExp): string[] {
  const match = pattern.exec(dockerfile.replaceAll('\\\n', ''));
  assert.ok(match, `the Dockerfile has ${pattern}`);
  return JSON.parse(match[1]!) as string[];
}

test('the executable reads NODE_OPTIONS, as the image sets them', async () => {
  const { code, stderr } = await binaryRun(['version'], { NODE_OPTIONS: '--no-such-node-option' });
  assert.equal(code, 9);
  assert.match(stderr, /--no-such-node-option is not allowed in NODE_OPTIONS/);
});

test("the Dockerfile's CMD serves and its HEALTHCHECK reports SERVING, with the image's config and NODE_OPTIONS", async () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const [entrypoint] = dockerInstruction(dockerfile, /^ENTRYPOINT (\[.*\])$/m);
  assert.equal(basename(entrypoint!), 'gatehouse');
  const cmd = dockerInstruction(dockerfile, /^CMD (\[.*\])$/m);
  const [healthProgram, ...healthArgs] = dockerInstruction(dockerfile, /^HEALTHCHECK .* CMD (\[.*\])$/m);
  assert.equal(healthProgram, entrypoint);

  // /etc/gatehouse as the image lays it out, from the Dockerfile's COPY lines.
  const etc = join(dir, 'etc-gatehouse');
  mkdirSync(etc);
  for (const [, source, target] of dockerfile.matchAll(/^COPY (\S+) \/etc\/gatehouse\/(\S+)$/gm)) {
    copyFileSync(join(REPO, source!), join(etc, target!));
  }
  const local = (args: string[]) => args.map((arg) => arg.replace(/^\/etc\/gatehouse\//, `${etc}/`));
  // Built as the Dockerfile builds it, under the options it runs with.
  const nodeOptions = imageNodeOptions();
  const imageBinary = join(dir, 'gatehouse-image');
  await run(process.execPath, [join(REPO, 'scripts', 'build-binary.js'), imageBinary], { cwd: REPO, env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  // The image keeps SQLite on its volume, /var/lib/gatehouse; here the file is in the temporary directory.
  const env = { DSN: `sqlite://${join(dir, 'image.sqlite')}?_fk=true`, NODE_OPTIONS: nodeOptions };
  // As the Dockerfile's header says to, before the first serve; serve's readiness (awaited below) proves it.
  const migrated = await binaryRun(['migrate', 'up', '--yes', '-c', join(etc, 'gatehouse.yml')], env, imageBinary);
  assert.deepEqual([migrated.code, migrated.stderr], [0, '']);

  const [command, ...args] = local(cmd);
  assert.equal(command, 'serve');
  const gh = await startGatehouseProcess({ command: [imageBinary], args, env });
  try {
    assert.deepEqual(await binaryRun(local(healthArgs), { ...env, SERVE_READ_PORT: String(gh.ports.read) }, imageBinary), {
      code: 0,
      stdout: 'SERVING\n',
      stderr: '',
    });
  } finally {
    assert.equal(await gh.stop(), 0);
  }
  // Nothing on stderr: the executable's code cache was accepted under the image's options.
  assert.equal(gh.stderr(), '');
});
