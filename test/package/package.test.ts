import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { PLAYGROUND_FILES } from '../../src/assets.js';
import { startGatehouseProcess } from '../support/server.js';

/**
 * The package as a user gets it: `npm pack`, then installed from the tarball into an empty
 * directory from npm's cache only (no network), then its command and its library run from
 * there. The tarball is packed from the built checkout (`npm test` builds first; packing
 * for publication runs `prepare`, the same build). The install resolves the dependencies
 * to the versions this checkout's lock file pins (npm's cache holds their tarballs after
 * `npm ci`, not the registry's version lists that a range needs). Install scripts are
 * skipped: the one that matters, better-sqlite3's, downloads a prebuilt binding or compiles
 * SQLite for minutes, so the binding this checkout built is copied in its place.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const npm = (args: string[], cwd: string) => run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const BINDING = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';

interface Packed {
  readonly filename: string;
  readonly integrity: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: { path: string }[];
}

interface LockEntry {
  readonly dev?: boolean;
  readonly [key: string]: unknown;
}

/** A lock file for an app depending on the tarball alone: the package, and the checkout's locked production dependencies. */
function appLock(tarball: string, integrity: string): object {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const { license, dependencies, bin, engines } = lock.packages['']!;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [PACKAGE.name]: tarball } },
    [`node_modules/${PACKAGE.name}`]: { version: PACKAGE.version, resolved: tarball, integrity, license, dependencies, bin, engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

/** The first ```js block of docs/library.md: the example the docs show. */
function libraryExample(): string {
  const doc = readFileSync(join(REPO, 'docs', 'library.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/library.md has a ```js example');
  return block[1]!;
}

describe('the packed package', () => {
  let dir: string;
  let app: string;
  let packed: Packed;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-package-'));
    const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
    packed = (JSON.parse(stdout) as Packed[])[0]!;
    app = join(dir, 'app');
    mkdirSync(app);
    const tarball = `file:../${packed.filename}`;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { [PACKAGE.name]: tarball } }));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(tarball, packed.integrity)));
    const started = performance.now();
    await npm(['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
    const seconds = (performance.now() - started) / 1000;
    mkdirSync(join(app, BINDING, '..'), { recursive: true });
    copyFileSync(join(REPO, BINDING), join(app, BINDING));
    console.log(`tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${packed.files.length} files; installed offline in ${seconds.toFixed(1)} s`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('holds what runs and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const required of [
      'package.json',
      'README.md',
      'bin/gatehouse.js',
      'dist/src/cli/main.js',
      'dist/src/library/index.js',
      'dist/src/library/index.d.ts',
      'dist/src/config/config-validator.js',
      'dist/src/config/schema.json',
      'dist/proto/gatehouse.json',
      'dist/proto/descriptors.json',
      ...PLAYGROUND_FILES,
      'namespaces.example.ts',
    ]) {
      assert.ok(paths.includes(required), `${required} is in the tarball`);
    }
    const stray = paths.filter(
      (p) => /^(src|test|bench|scripts|web|dist\/test|dist\/bench)\//.test(p) || p.endsWith('.map') || (p.endsWith('.ts') && !p.endsWith('.d.ts') && p !== 'namespaces.example.ts'),
    );
    assert.deepEqual(stray, []);
  });

  test('`gatehouse version` runs from the installed package', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'node_modules/.bin/gatehouse'), 'version'], { cwd: app });
    assert.match(stdout, new RegExp(`^Version:\\s+${PACKAGE.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('`gatehouse serve` is ready on SQLite, answers a check and stops on SIGTERM', async () => {
    const installed = join(app, 'node_modules', PACKAGE.name);
    const gh = await startGatehouseProcess({
      command: [process.execPath, join(app, 'node_modules/.bin/gatehouse')],
      cwd: app,
      config: {
        dsn: `sqlite://${join(app, 'gatehouse.sqlite')}?_fk=true`,
        namespaces: { location: pathToFileURL(join(installed, 'namespaces.example.ts')).href },
      },
      args: ['--migrate'],
    });
    try {
      const put = await fetch(`${gh.url.write}/admin/relation-tuples`, {
        method: 'PUT',
        body: JSON.stringify({ namespace: 'Group', object: 'engineering', relation: 'members', subject_id: 'alice' }),
      });
      assert.equal(put.status, 201);
      const check = await fetch(`${gh.url.read}/relation-tuples/check?namespace=Group&object=engineering&relation=members&subject_id=alice`);
      assert.deepEqual([check.status, await check.json()], [200, { allowed: true }]);
    } finally {
      assert.equal(await gh.stop('SIGTERM'), 0);
    }
  });

  test("the library's types check in a consumer's strict TypeScript", async () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        "import { createGatehouse, GatehouseError, type Gatehouse, type Explanation } from 'gatehouse-server';",
        "const gh: Gatehouse = await createGatehouse({ model: 'class User implements Namespace {}', tuples: [] });",
        "const allowed: boolean = await gh.check('User:a#b@c');",
        "const steps: Explanation = (await gh.explain({ namespace: 'User', object: 'a', relation: 'b', subject: { id: 'c' } })).explanation;",
        'console.log(allowed, steps.step, GatehouseError.name);',
        'await gh.close();',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [join(REPO, 'node_modules/@types')], types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app });
  });

  test('the example of docs/library.md runs against the installed package', async () => {
    writeFileSync(join(app, 'app.mjs'), libraryExample());
    const child = spawn(process.execPath, ['app.mjs'], { cwd: app, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const listening = /listening on (http:\/\/\S+)/.exec(out);
          if (listening) resolve(listening[1]!);
        });
        child.once('exit', (code) => reject(new Error(`the example exited with code ${code}:\n${stderr}`)));
      });
      const alice = await fetch(`${address}/documents/roadmap?user=alice`);
      assert.deepEqual([alice.status, await alice.text()], [200, 'the roadmap document\n']);
      const bob = await fetch(`${address}/documents/roadmap?user=bob`);
      assert.deepEqual([bob.status, await bob.text()], [403, 'forbidden\n']);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 'SIGTERM');
    }
  });
});
