import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { GatehouseError } from '../../src/errors.js';
import { NamespaceManager, NO_MODEL_MESSAGE, type NamespaceLogger } from '../../src/namespaces/manager.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ns-'));
  dirs.push(dir);
  return dir;
}

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

function recordingLogger(): NamespaceLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

/** Polls until `condition` holds; fails after `attempts` polls of 25 ms. */
async function eventually(condition: () => boolean, what: string, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const names = (m: NamespaceManager) => m.current().namespaces.map((n) => n.name);

const OPL_V1 = `class User implements Namespace {}
class Doc implements Namespace {
  related: { viewers: User[] }
  permits = { view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) }
}`;
const OPL_V2 = `${OPL_V1}\nclass Folder implements Namespace {}`;

test('legacy list: namespaces without relations', async () => {
  const logger = recordingLogger();
  const m = await NamespaceManager.create([{ id: 0, name: 'files' }, { name: 'groups' }], { logger });
  assert.deepEqual(names(m), ['files', 'groups']);
  assert.deepEqual(m.current().namespace('files'), { name: 'files', relations: [] });
  assert.equal(m.current().strictMode, false);
  m.close();
  await assert.rejects(NamespaceManager.create([{ id: 1 }], { logger }), (err: GatehouseError) => {
    assert.equal(err.kind, 'invalid_argument');
    assert.match(err.message, /namespaces\[0\]: "name" must be a non-empty string/);
    return true;
  });
});

test('legacy location: a directory of yaml/json/toml namespace files, hot reloaded, a broken file keeps its last version', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.yaml'), 'name: files\nid: 1\n');
  writeFileSync(join(dir, 'b.json'), '{"name": "groups", "id": 2}');
  writeFileSync(join(dir, 'c.toml'), '# videos\nname = "videos"\nid = 3\n[config]\nx = 1\n');
  const logger = recordingLogger();
  const m = await NamespaceManager.create(pathToFileURL(dir).href, { logger, debounceMs: 20 });
  assert.deepEqual(names(m).sort(), ['files', 'groups', 'videos']);

  writeFileSync(join(dir, 'b.json'), '{"name": ');
  writeFileSync(join(dir, 'd.yml'), 'name: pages\n');
  await eventually(() => names(m).includes('pages'), 'the new file is read');
  assert.deepEqual(names(m).sort(), ['files', 'groups', 'pages', 'videos']);
  assert.ok(logger.lines.some((l) => l.level === 'error' && /previous version/.test(l.msg ?? '')));
  m.close();
});

test('legacy location: files of unknown format are skipped with a hint; a malformed TOML file is reported', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.ts'), OPL_V1);
  writeFileSync(join(dir, 'bad.toml'), 'name = videos\n');
  const logger = recordingLogger();
  const m = await NamespaceManager.create(dir, { logger });
  assert.deepEqual(names(m), []);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /namespaces: \{location: …\}/.test(l.msg ?? '')));
  const tomlError = logger.lines.find((l) => l.level === 'error')!;
  assert.match(String((tomlError.obj as { err: Error }).err.message), /bad\.toml: line 1, column 8: invalid value$/);
  m.close();
});

test('legacy location: a single file, and a missing location gives an empty model with a warning', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ns.yml'), 'name: files\n');
  const logger = recordingLogger();
  const single = await NamespaceManager.create(join(dir, 'ns.yml'), { logger });
  assert.deepEqual(names(single), ['files']);
  single.close();
  const missing = await NamespaceManager.create('file://./keto_namespaces', { logger, baseDir: dir });
  assert.deepEqual(names(missing), []);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /no namespace files/.test(l.msg ?? '')));
  missing.close();
});

test('OPL location: plain relative path, file:// URL, file://./relative, base64://; strict mode from either key', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.ts'), OPL_V1);
  const logger = recordingLogger();
  const locations = [
    'model.ts',
    pathToFileURL(join(dir, 'model.ts')).href,
    'file://./model.ts',
    `base64://${Buffer.from(OPL_V1).toString('base64')}`,
  ];
  for (const location of locations) {
    const m = await NamespaceManager.create({ location }, { logger, baseDir: dir });
    assert.deepEqual(names(m), ['User', 'Doc'], location);
    assert.deepEqual(m.current().namespace('Doc')?.relations.map((r) => r.name), ['viewers', 'view']);
    assert.equal(m.current().strictMode, false);
    m.close();
  }
  const strictByConfig = await NamespaceManager.create({ location: 'model.ts', experimental_strict_mode: true }, { logger, baseDir: dir });
  assert.equal(strictByConfig.current().strictMode, true);
  strictByConfig.close();
  const strictByFlag = await NamespaceManager.create({ location: 'model.ts' }, { logger, baseDir: dir, flags: { strictMode: true } });
  assert.equal(strictByFlag.current().strictMode, true);
  strictByFlag.close();
});

test('OPL location: hot reload on change; a broken edit is logged and the previous model stays', async () => {
  const dir = tempDir();
  const file = join(dir, 'model.ts');
  writeFileSync(file, OPL_V1);
  const logger = recordingLogger();
  const m = await NamespaceManager.create({ location: file }, { logger, debounceMs: 20 });
  const first = m.current();
  assert.equal(m.current(), first, 'the snapshot is stable until the model changes');

  writeFileSync(file, OPL_V2);
  await eventually(() => names(m).includes('Folder'), 'the edit is loaded');
  assert.ok(logger.lines.some((l) => l.level === 'info' && l.msg === 'namespaces reloaded'));

  const good = m.current();
  writeFileSync(file, OPL_V2.replace('this.related.viewers', 'this.related.viewrs'));
  await eventually(() => logger.lines.some((l) => l.level === 'error'), 'the broken edit is reported');
  const report = logger.lines.find((l) => l.level === 'error')!;
  assert.match(report.msg ?? '', /has 1 error\(s\); keeping the previous model/);
  assert.deepEqual((report.obj as { errors: unknown[] }).errors, [
    { line: 4, column: 61, message: 'namespace "Doc" did not declare relation "viewrs"; did you mean "viewers"?' },
  ]);
  assert.equal(m.current(), good);
  m.close();
});

test('OPL location: a model with errors at start leaves no model in force until it is fixed; precedence warnings are logged', async () => {
  const dir = tempDir();
  const file = join(dir, 'model.ts');
  writeFileSync(file, 'class A implements Namespace { related: { a: B[] } }');
  const logger = recordingLogger();
  const m = await NamespaceManager.create({ location: file }, { logger, debounceMs: 20 });
  assert.deepEqual(names(m), []);
  assert.equal(m.problem, 'the namespace model has 1 error(s); no model is in force until it is fixed');
  assert.throws(() => m.inForce(), (err: GatehouseError) => err.kind === 'unavailable' && err.message === NO_MODEL_MESSAGE);
  const report = logger.lines.find((l) => l.level === 'error')!;
  assert.match(report.msg ?? '', /has 1 error\(s\); no model is in force until it is fixed$/);
  writeFileSync(
    file,
    'class A implements Namespace { related: { a: A[] } permits = { p: (ctx) => this.permits.p(ctx) || this.permits.p(ctx) && this.permits.p(ctx) } }',
  );
  await eventually(() => names(m).includes('A'), 'the fixed model is loaded');
  assert.equal(m.problem, undefined);
  assert.equal(m.inForce(), m.current());
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /left to right/.test(l.msg ?? '')));
  m.close();
});

test('OPL location: with no model in force, a new broken value is watched in its place and its fix loads', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.ts'), 'class A implements Namespace { related: { a: B[] } }');
  writeFileSync(join(dir, 'b.ts'), 'class B implements Namespace { related: { b: C[] } }');
  const logger = recordingLogger();
  const m = await NamespaceManager.create({ location: 'a.ts' }, { logger, baseDir: dir, debounceMs: 20 });
  await m.reconfigure({ location: 'b.ts' });
  assert.equal(m.problem, 'the namespace model has 1 error(s); no model is in force until it is fixed');
  assert.equal(logger.lines.some((l) => /keeping the previous model/.test(l.msg ?? '')), false);
  writeFileSync(join(dir, 'b.ts'), 'class B implements Namespace {}');
  await eventually(() => m.problem === undefined, 'the fixed model is loaded');
  assert.deepEqual(names(m), ['B']);
  m.close();
});

test('OPL location: a missing file is refused at start', async () => {
  await assert.rejects(
    NamespaceManager.create({ location: 'file:///nonexistent/gatehouse/model.ts' }, { logger: recordingLogger() }),
    (err: GatehouseError) => err.kind === 'invalid_argument' && /could not read the OPL file/.test(err.message),
  );
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('OPL location over http: fetched, with a timeout', async () => {
  const held: import('node:http').ServerResponse[] = [];
  const { server, url } = await listen((req, res) => {
    if (req.url === '/model.ts') res.end(OPL_V1);
    else if (req.url === '/slow') held.push(res);
    else res.writeHead(404).end();
  });
  try {
    const logger = recordingLogger();
    const m = await NamespaceManager.create({ location: `${url}/model.ts` }, { logger });
    assert.deepEqual(names(m), ['User', 'Doc']);
    m.close();
    await assert.rejects(
      NamespaceManager.create({ location: `${url}/slow` }, { logger, fetchTimeoutMs: 100 }),
      (err: GatehouseError) => err.kind === 'unavailable' && /no answer within 100 ms/.test(err.message),
    );
    await assert.rejects(
      NamespaceManager.create({ location: `${url}/missing` }, { logger }),
      (err: GatehouseError) => err.kind === 'unavailable' && /HTTP 404/.test(err.message),
    );
  } finally {
    held.forEach((res) => res.destroy());
    server.close();
  }
});

test('reconfigure: swaps to a new namespaces value; an unusable one keeps the previous model', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.ts'), OPL_V1);
  const logger = recordingLogger();
  const m = await NamespaceManager.create([{ name: 'files' }], { logger, baseDir: dir });
  await m.reconfigure({ location: 'model.ts' });
  assert.deepEqual(names(m), ['User', 'Doc']);
  const before = m.current();
  await m.reconfigure({ location: 'model.ts' });
  assert.equal(m.current(), before, 'an unchanged value is a no-op');
  await m.reconfigure({ location: 'model.ts' }, { strictMode: true });
  assert.equal(m.current().strictMode, true);
  await m.reconfigure({ location: 'missing.ts' });
  assert.deepEqual(names(m), ['User', 'Doc']);
  assert.ok(logger.lines.some((l) => l.level === 'error' && /keeping the previous model/.test(l.msg ?? '')));
  await m.reconfigure(42);
  assert.deepEqual(names(m), ['User', 'Doc']);
  m.close();
});
