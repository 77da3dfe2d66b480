import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { startGatehouse } from '../../src/main.js';
import { PLAYGROUND_MAX_BODY_SIZE } from '../../src/playground/routes.js';
import { startPlaygroundServer, type PlaygroundServer } from './playground-server.js';

/** One HTTP/1.1 request with the path sent exactly as written (no URL normalisation of `..`). */
function rawRequest(origin: string, path: string, options: { method?: string; body?: string | Buffer } = {}) {
  const { hostname, port } = new URL(origin);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: options.method ?? 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const BUILT = new URL('../../playground/', import.meta.url);

describe('the playground listener', () => {
  let server: PlaygroundServer;
  before(async () => {
    server = await startPlaygroundServer();
  });
  after(() => server.stop());

  test('serves the built page with its content types and headers', async () => {
    for (const [path, file, type] of [
      ['/', 'index.html', 'text/html; charset=utf-8'],
      ['/index.html', 'index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'style.css', 'text/css; charset=utf-8'],
    ] as const) {
      const res = await rawRequest(server.playground, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], type, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /^default-src 'self';.* frame-ancestors 'none';/);
      assert.equal(res.body, readFileSync(new URL(file, BUILT), 'utf8'), path);
    }
  });

  test('names no file outside the page, however the path is written', async () => {
    for (const path of [
      '/../package.json',
      '/..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/app.js/../../package.json',
      '//etc/passwd',
      '/src/playground/page.js',
      '/playground/app.js',
      '/index.html%00.js',
      '/APP.JS',
    ]) {
      const res = await rawRequest(server.playground, path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(JSON.parse(res.body).error.message, 'The requested resource could not be found', path);
    }
  });

  test('the playground is on its own port only', async () => {
    for (const origin of [server.read, server.write]) {
      assert.equal((await rawRequest(origin, '/app.js')).status, 404);
      assert.equal((await rawRequest(origin, '/api/evaluate', { method: 'POST', body: '{"model":""}' })).status, 404);
    }
  });

  test('evaluate answers diagnostics, refused tuples and checks, and explains one', async () => {
    const model = 'class User implements Namespace {}\nclass Doc implements Namespace {\n  related: { viewers: User[] }\n}\n';
    const evaluate = async (checks: string[], explain: boolean) => {
      const body = JSON.stringify({ model, tuples: ['Doc:a#viewers@alice', 'Nope:a#viewers@alice'], checks, explain });
      const res = await rawRequest(server.playground, '/api/evaluate', { method: 'POST', body });
      assert.equal(res.status, 200);
      return JSON.parse(res.body);
    };
    const answer = await evaluate(['Doc:a#viewers@alice', 'Doc:a#viewers@bob'], false);
    assert.deepEqual(answer, {
      diagnostics: [],
      tupleProblems: [{ index: 1, error: { kind: 'not_found', message: 'The requested resource could not be found', reason: 'Unknown namespace with name "Nope".' } }],
      checks: [
        { kind: 'check', tuple: 'Doc:a#viewers@alice', allowed: true },
        { kind: 'check', tuple: 'Doc:a#viewers@bob', allowed: false },
      ],
    });
    const [explained] = (await evaluate(['Doc:a#viewers@alice'], true)).checks;
    assert.deepEqual(explained.explanation, {
      step: 'check',
      namespace: 'Doc',
      object: 'a',
      relation: 'viewers',
      result: 'allowed',
      children: [{ step: 'tuple', namespace: 'Doc', object: 'a', relation: 'viewers', result: 'allowed', children: [] }],
    });
  });

  test('evaluate places an OPL error at its line', async () => {
    const model = 'class User implements Namespace {}\n\nclass Doc implements Namespace {\n  related: { viewers: Usr[] }\n}\n';
    const res = await rawRequest(server.playground, '/api/evaluate', { method: 'POST', body: JSON.stringify({ model }) });
    const [first] = JSON.parse(res.body).diagnostics;
    assert.equal(first.severity, 'error');
    assert.equal(first.line, 4);
  });

  test('malformed requests get the error envelope', async () => {
    for (const [body, message] of [
      ['[]', 'the body must be a JSON object'],
      ['{}', 'model must be a string (the OPL source)'],
      ['{"model":"","tuples":[1]}', 'tuples must be a list of strings'],
      ['{"model":"","checks":"x"}', 'checks must be a list of strings'],
      ['{"model":"","explain":"yes"}', 'explain must be a boolean'],
      ['{"model":"","write":true}', 'unknown field "write"'],
      [JSON.stringify({ model: '', checks: Array(1001).fill('a:b#c@d') }), 'at most 1000 checks a request'],
      [JSON.stringify({ model: '', checks: ['a:b#c@d', 'a:b#c@e'], explain: true }), 'explain asks at most 1 check a request'],
    ]) {
      const res = await rawRequest(server.playground, '/api/evaluate', { method: 'POST', body });
      assert.equal(res.status, 400, body.slice(0, 40));
      assert.deepEqual(JSON.parse(res.body).error.message, message);
      assert.equal(JSON.parse(res.body).error.code, 400);
    }
  });

  test('a body over the playground limit is refused before it is read whole', async () => {
    const body = JSON.stringify({ model: 'x'.repeat(PLAYGROUND_MAX_BODY_SIZE) });
    const res = await rawRequest(server.playground, '/api/evaluate', { method: 'POST', body });
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).error.code, 413);
  });

  const post = async (path: string, body: unknown) => {
    const res = await rawRequest(server.playground, path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, type: res.headers['content-type'], text: res.body, json: () => JSON.parse(res.body) };
  };
  const scenario = {
    model: 'class User implements Namespace {}\nclass Doc implements Namespace {\n  related: { viewers: User[] }\n}\n',
    tuples: ['Doc:a#viewers@alice'],
    assertions: { allowed: ['Doc:a#viewers@alice'], denied: ['Doc:a#viewers@bob', 'Doc:a#viewers@alice'] },
  };

  test('a scenario saves as a model-test file and loads back the same', async () => {
    const saved = await post('/api/test-file/save', scenario);
    assert.equal(saved.status, 200);
    assert.equal(saved.type, 'text/yaml; charset=utf-8');
    assert.equal(
      saved.text,
      'model: |\n  class User implements Namespace {}\n  class Doc implements Namespace {\n    related: { viewers: User[] }\n  }\n' +
        'tuples:\n  - Doc:a#viewers@alice\nassert:\n  allowed:\n    - Doc:a#viewers@alice\n  denied:\n    - Doc:a#viewers@bob\n    - Doc:a#viewers@alice\n',
    );
    const loaded = await post('/api/test-file/load', saved.text);
    assert.equal(loaded.status, 200);
    assert.deepEqual(loaded.json(), { scenario, name: 'model test', scenarios: 1 });
    const bare = await post('/api/test-file/save', { model: '' });
    assert.equal(bare.text, 'model: ""\n');
  });

  test('a file is refused, with its line, where the page could not show all of it', async () => {
    for (const [file, message] of [
      ['model: ""\nsettings: { strict_mode: true }\n', 'line 1: the playground runs under the server\'s settings; remove "settings"'],
      ['model: ""\nassert:\n  list_objects:\n    - { namespace: Doc, relation: viewers, subject: alice, objects: [] }\n', 'line 4: the playground edits allowed and denied assertions only, not list-objects'],
      ['model_file: /etc/passwd\n', 'line 1: "model_file": cannot read "/etc/passwd": the playground reads no files: put the model in the test file'],
      ['model: ""\ntuples:\n  - { namespace: Doc }\n', 'line 3: not a tuple'],
      ['', 'line 1: the file holds no scenario'],
      ['model: [\n', 'line 2: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:'],
    ]) {
      const res = await post('/api/test-file/load', file);
      assert.equal(res.status, 400, file);
      assert.equal(res.json().error.message, message);
    }
  });

  test('assertions are judged as gatehouse test judges them', async () => {
    const res = await post('/api/assertions', scenario);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      passed: false,
      problems: [],
      results: [
        { tuple: 'Doc:a#viewers@alice', passed: true, expected: 'allowed', actual: 'allowed' },
        { tuple: 'Doc:a#viewers@bob', passed: true, expected: 'denied', actual: 'denied' },
        { tuple: 'Doc:a#viewers@alice', passed: false, expected: 'denied', actual: 'allowed' },
      ],
    });
    const broken = await post('/api/assertions', { model: 'class Doc implements Namespace {\n  related: { viewers: Usr[] }\n}\n', tuples: ['bad'] });
    assert.deepEqual(broken.json(), {
      passed: false,
      problems: ['model error at model:2:23: namespace "Usr" was not declared'],
      results: [],
    });
  });

  test('save and assertions refuse a malformed scenario with the envelope', async () => {
    for (const path of ['/api/test-file/save', '/api/assertions']) {
      for (const [body, message] of [
        [{ model: '', assertions: [] }, 'assertions must be a JSON object'],
        [{ model: '', assertions: { maybe: [] } }, 'unknown field "maybe"'],
        [{ model: '', assertions: { allowed: [1] } }, 'assertions.allowed must be a list of strings'],
        [{ model: '', assertions: { denied: Array(101).fill('a:b#c@d') } }, 'at most 100 assertions a request'],
      ] as const) {
        const res = await post(path, body);
        assert.equal(res.status, 400, `${path} ${JSON.stringify(body).slice(0, 60)}`);
        assert.equal(res.json().error.message, message);
      }
    }
  });

  test("the namespaces view lists the live server's model", async () => {
    const res = await rawRequest(server.playground, '/api/namespaces');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), {
      namespaces: [
        { name: 'User', relations: [], permits: [] },
        { name: 'Team', relations: [{ name: 'members', types: ['User'] }], permits: [] },
        { name: 'Repo', relations: [{ name: 'maintainers', types: ['User', 'Team#members'] }], permits: ['push'] },
      ],
    });
  });
});

describe('serve.playground', () => {
  test('is off by default, on port 4470', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-playground-config-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ dsn: 'memory' }));
      const config = loadConfig({ files: [file], env: {} });
      assert.deepEqual(config.serve.playground, { enabled: false, host: '', port: 4470, tls: {} });
      assert.equal(loadConfig({ files: [file], env: { SERVE_PLAYGROUND_ENABLED: 'true' } }).serve.playground.enabled, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('is on in the example configuration npm start serves', () => {
    const config = loadConfig({ files: [new URL('../../../gatehouse.example.yml', import.meta.url).pathname], env: {} });
    assert.deepEqual(config.serve.playground, { enabled: true, host: '127.0.0.1', port: 4470, tls: {} });
  });

  test('a server without it opens no playground listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-playground-off-'));
    const file = join(dir, 'config.json');
    const loopback = { host: '127.0.0.1', port: 0 };
    writeFileSync(file, JSON.stringify({ dsn: 'memory', namespaces: [{ name: 'files' }], serve: { read: loopback, write: loopback, opl: loopback, metrics: loopback }, log: { level: 'error' } }));
    const gh = await startGatehouse({ files: [file], env: {} });
    try {
      assert.equal(gh.playground, undefined);
      assert.deepEqual(Object.keys(gh.addresses).sort(), ['metrics', 'opl', 'read', 'write']);
    } finally {
      await gh.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
