import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { syntaxMethods } from '../../src/transport/grpc/syntax.js';
import { oplRoutes } from '../../src/transport/rest/opl.js';
import type { RestRequest } from '../../src/transport/rest/route.js';

const BIN = fileURLToPath(new URL('../../../bin/gatehouse.js', import.meta.url));
const BROKEN = 'class A implements Namespace {\n  related: { viewers: A[] }\n  permits = { v: (ctx) => this.related.viewer.includes(ctx.subject) }\n}\n';

function post(body: Buffer): RestRequest {
  return {
    method: 'POST',
    path: '/opl/syntax/check',
    query: new URLSearchParams(),
    headers: { 'content-type': 'text/plain' },
    body,
    json: () => JSON.parse(body.toString('utf8')),
    signal: new AbortController().signal,
  };
}

const [route] = oplRoutes();

test('POST /opl/syntax/check answers 200 with Keto field names, capital Line included', async () => {
  const response = await route!.handle(post(Buffer.from(BROKEN)));
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, {
    errors: [
      {
        message: 'namespace "A" did not declare relation "viewer"; did you mean "viewers"?',
        start: { Line: 3, column: 39 },
        end: { Line: 3, column: 45 },
      },
    ],
  });
});

test('POST /opl/syntax/check: an empty body is a valid model; bytes that are not UTF-8 are reported, not refused', async () => {
  assert.deepEqual((await route!.handle(post(Buffer.alloc(0)))).body, {}, 'Keto omits an empty error list');
  const response = await route!.handle(post(Buffer.from([0x63, 0x6c, 0xfe])));
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, {
    errors: [{ message: 'fatal: at "\\xfe": unexpected token \ufffd', start: { Line: 1, column: 2 }, end: { Line: 1, column: 2 } }],
  });
});

test('SyntaxService/Check: content bytes in, parse_errors out, through the real message types', async () => {
  const require = createRequire(import.meta.url);
  const protoPath = require.resolve('@ory/keto-grpc-client/ory/keto/opl/v1alpha1/syntax_service.proto');
  const root = await protobuf.load(protoPath);
  const Request = root.lookupType('ory.keto.opl.v1alpha1.CheckRequest');
  const Response = root.lookupType('ory.keto.opl.v1alpha1.CheckResponse');
  const [method] = syntaxMethods();
  assert.equal(method!.path, '/ory.keto.opl.v1alpha1.SyntaxService/Check');
  const wire = Request.encode(Request.fromObject({ content: Buffer.from(BROKEN) })).finish();
  const request = Request.toObject(Request.decode(wire), { longs: Number, enums: String, defaults: true, oneofs: true });
  const answer = await method!.handle(request);
  assert.equal(Response.verify(answer), null);
  const decoded = Response.toObject(Response.decode(Response.encode(Response.fromObject(answer)).finish()));
  assert.deepEqual(decoded, {
    parseErrors: [
      {
        message: 'namespace "A" did not declare relation "viewer"; did you mean "viewers"?',
        start: { line: 3, column: 39 },
        end: { line: 3, column: 45 },
      },
    ],
  });
  assert.deepEqual(await method!.handle({ content: new Uint8Array() }), { parseErrors: [] });
});

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('gatehouse namespace validate: FILE:line:col, the line and a caret; exit 3 on errors, 0 when valid', () => {
  const broken = join(dir, 'broken.ts');
  const good = join(dir, 'good.ts');
  writeFileSync(broken, BROKEN);
  writeFileSync(good, BROKEN.replace('viewer.', 'viewers.'));
  const failed = spawnSync(process.execPath, [BIN, 'namespace', 'validate', broken], { encoding: 'utf8' });
  assert.equal(failed.status, 3);
  assert.equal(
    failed.stderr,
    `${broken}:3:40: namespace "A" did not declare relation "viewer"; did you mean "viewers"?\n` +
      '    ' + '  permits = { v: (ctx) => this.related.viewer.includes(ctx.subject) }\n' +
      '    ' + ' '.repeat(39) + '^~~~~~\n',
  );
  const passed = spawnSync(process.execPath, [BIN, 'namespace', 'validate', good], { encoding: 'utf8' });
  assert.equal(passed.status, 0, passed.stderr);
  assert.equal(passed.stdout, 'Congrats, all files are valid!\n');
  const usage = spawnSync(process.execPath, [BIN, 'namespace', 'validate'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
});

test('gatehouse namespace validate -c CONFIG checks the namespaces the config names, in each form', () => {
  const validate = (...args: string[]) => spawnSync(process.execPath, [BIN, 'namespace', ...args], { encoding: 'utf8' });
  writeFileSync(join(dir, 'model-broken.ts'), BROKEN);
  writeFileSync(join(dir, 'opl.yml'), 'namespaces:\n  location: file://./model-broken.ts\n');
  writeFileSync(join(dir, 'list.yml'), 'namespaces:\n  - id: 0\n    name: files\n');
  writeFileSync(join(dir, 'bad-list.yml'), 'namespaces:\n  - id: 0\n');
  const opl = validate('validate', '-c', join(dir, 'opl.yml'));
  assert.equal(opl.status, 3);
  assert.match(opl.stderr, /model-broken\.ts:3:40: namespace "A" did not declare relation "viewer"/);
  assert.equal(validate('validate-legacy', '-c', join(dir, 'list.yml')).status, 0);
  const badList = validate('validate', '--config', join(dir, 'bad-list.yml'));
  assert.equal(badList.status, 3);
  assert.match(badList.stderr, /namespaces\[0\]: "name" must be a non-empty string/);
});
