import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
}

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const CORS_DEFAULTS = {
  enabled: false,
  allowed_origins: ['*'],
  allowed_methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowed_headers: ['Authorization', 'Content-Type'],
  exposed_headers: ['Content-Type'],
  allow_credentials: false,
  max_age: 0,
  debug: false,
};

describe('loadConfig defaults', () => {
  it('fills every default from the schema', () => {
    const config = loadConfig({ env: { DSN: 'memory' } });
    assert.deepEqual(config.serve.read, { host: '', port: 4466, cors: CORS_DEFAULTS, tls: {}, auth: { preshared_keys: [] }, request_timeout: '0s' });
    assert.equal(config.serve.write.port, 4467);
    assert.equal(config.serve.metrics.port, 4468);
    assert.equal(config.serve.opl.port, 4469);
    assert.equal(config.serve.shutdown_grace_period, '5s');
    assert.deepEqual(config.limit, {
      max_read_depth: 5,
      max_read_width: 100,
      max_batch_check_size: 10,
      batch_check_max_parallelization: 5,
      max_expand_size: 4000,
      max_request_body_size: 4 * 1024 * 1024,
    });
    assert.deepEqual(config.log, { level: 'info', format: 'text', leak_sensitive_values: false });
    assert.deepEqual(config.feature_flags, { expand_rewrites: false, strict_mode: false, typescript_precedence: false });
    assert.deepEqual(config.database, { max_conns: 10, acquire_timeout: '2s', max_retries: 3, statement_timeout: '5s' });
    assert.deepEqual(config.index, { enabled: true, memory_budget: 512 * 1024 * 1024, max_staleness: '0s', freshness_timeout: '2s' });
    assert.deepEqual(config.clients, { http: { disallow_private_ip_ranges: false } });
    assert.deepEqual(config.secrets, {});
    assert.equal(config.namespaces, pathToFileURL(join(process.cwd(), 'keto_namespaces')).href);
    assert.equal(config.tracing, undefined);
  });

  it('returns a frozen config', () => {
    const config = loadConfig({ env: { DSN: 'memory' } });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.serve.read.cors.allowed_origins));
  });
});

describe('loadConfig files', () => {
  it('reads YAML and JSON and merges them in order, later files winning', () => {
    const dir = tempDir();
    const yaml = write(dir, 'base.yml', 'dsn: memory\nserve:\n  read:\n    port: 1000\n    host: 127.0.0.1\nlog:\n  level: debug\n');
    const json = write(dir, 'over.json', JSON.stringify({ serve: { read: { port: 2000 } }, limit: { max_read_depth: 7 } }));
    const config = loadConfig({ files: [yaml, json], env: {} });
    assert.equal(config.serve.read.port, 2000);
    assert.equal(config.serve.read.host, '127.0.0.1');
    assert.equal(config.log.level, 'debug');
    assert.equal(config.limit.max_read_depth, 7);
    const reversed = loadConfig({ files: [json, yaml], env: {} });
    assert.equal(reversed.serve.read.port, 1000);
  });

  it('replaces lists instead of merging them', () => {
    const dir = tempDir();
    const a = write(dir, 'a.yml', 'dsn: memory\nnamespaces:\n  - {id: 0, name: files}\n  - {id: 1, name: dirs}\n');
    const b = write(dir, 'b.yml', 'namespaces:\n  - {name: groups}\n');
    assert.deepEqual(loadConfig({ files: [a, b], env: {} }).namespaces, [{ name: 'groups' }]);
  });

  it('accepts an empty file', () => {
    const dir = tempDir();
    const empty = write(dir, 'empty.yml', '');
    assert.equal(loadConfig({ files: [empty], env: { DSN: 'memory' } }).dsn, 'memory');
  });

  it("resolves relative namespace locations against the config file's directory", () => {
    const dir = tempDir();
    const opl = write(dir, 'opl.yml', 'dsn: memory\nnamespaces:\n  location: file://./namespaces.ts\n');
    assert.deepEqual(loadConfig({ files: [opl], env: {} }).namespaces, {
      location: pathToFileURL(join(dir, 'namespaces.ts')).href,
    });
    const legacy = write(dir, 'legacy.yml', 'dsn: memory\nnamespaces: file://ns/\n');
    assert.equal(loadConfig({ files: [legacy], env: {} }).namespaces, pathToFileURL(join(dir, 'ns')).href);
    const absolute = write(dir, 'abs.yml', 'dsn: memory\nnamespaces: file:///etc/ns.ts\n');
    assert.equal(loadConfig({ files: [absolute], env: {} }).namespaces, 'file:///etc/ns.ts');
    const remote = write(dir, 'remote.yml', 'dsn: memory\nnamespaces:\n  location: https://example.test/ns.ts\n');
    assert.deepEqual(loadConfig({ files: [remote], env: {} }).namespaces, { location: 'https://example.test/ns.ts' });
  });

  it('accepts the example configuration', () => {
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const config = loadConfig({ files: [join(repoRoot, 'gatehouse.example.yml')], env: {} });
    assert.equal(config.dsn, 'sqlite://gatehouse.sqlite?_fk=true');
    assert.deepEqual(config.namespaces, {
      location: pathToFileURL(join(repoRoot, 'namespaces.example.ts')).href,
    });
    assert.equal(config.log.format, 'json');
  });
});

describe('loadConfig environment', () => {
  it('overrides files with numbers, booleans, strings and nested keys', () => {
    const dir = tempDir();
    const file = write(dir, 'c.yml', 'dsn: memory\nserve:\n  read:\n    port: 1000\nlog:\n  level: warn\n');
    const config = loadConfig({
      files: [file],
      env: {
        SERVE_READ_PORT: '4000',
        LOG_LEVEL: 'debug',
        DSN: 'sqlite://file:/tmp/x.db?_fk=true',
        FEATURE_FLAGS_STRICT_MODE: 'true',
        FEATURE_FLAGS_EXPAND_REWRITES: '1',
        INDEX_ENABLED: 'false',
        SERVE_WRITE_CORS_ENABLED: 'TRUE',
        SERVE_SHUTDOWN_GRACE_PERIOD: '10s',
        SERVE_OPL_WRITE_LISTEN_FILE: 'file:///tmp/opl',
        PATH: '/usr/bin',
        DATABASE: 'postgres',
        LOG: '1',
      },
    });
    assert.equal(config.serve.read.port, 4000);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.dsn, 'sqlite://file:/tmp/x.db?_fk=true');
    assert.equal(config.feature_flags.strict_mode, true);
    assert.equal(config.feature_flags.expand_rewrites, true);
    assert.equal(config.index.enabled, false);
    assert.equal(config.serve.write.cors.enabled, true);
    assert.equal(config.serve.shutdown_grace_period, '10s');
    assert.equal(config.serve.opl.write_listen_file, 'file:///tmp/opl');
  });

  it('reads lists as JSON or comma-separated and objects as JSON', () => {
    const config = loadConfig({
      env: {
        DSN: 'memory',
        SECRETS_PAGINATION: '["0123456789abcdef","fedcba9876543210"]',
        SERVE_READ_CORS_ALLOWED_ORIGINS: 'https://a.test, https://b.test',
        SERVE_READ_TLS: '{"cert":{"path":"/c.pem"},"key":{"path":"/k.pem"}}',
        SERVE_READ_TLS_KEY_PATH: '/other.pem',
        NAMESPACES: '[{"id":0,"name":"files"}]',
      },
    });
    assert.deepEqual(config.secrets.pagination, ['0123456789abcdef', 'fedcba9876543210']);
    assert.deepEqual(config.serve.read.cors.allowed_origins, ['https://a.test', 'https://b.test']);
    assert.deepEqual(config.serve.read.tls, { cert: { path: '/c.pem' }, key: { path: '/other.pem' } });
    assert.deepEqual(config.namespaces, [{ id: 0, name: 'files' }]);
  });

  it('sets each namespaces form from the environment', () => {
    assert.deepEqual(loadConfig({ env: { DSN: 'memory', NAMESPACES_LOCATION: 'file:///etc/ns.ts' } }).namespaces, {
      location: 'file:///etc/ns.ts',
    });
    assert.equal(loadConfig({ env: { DSN: 'memory', NAMESPACES: 'file:///etc/ns' } }).namespaces, 'file:///etc/ns');
    assert.deepEqual(
      loadConfig({ env: { DSN: 'memory', NAMESPACES: '{"location":"file:///x.ts","experimental_strict_mode":true}' } })
        .namespaces,
      { location: 'file:///x.ts', experimental_strict_mode: true },
    );
  });

  it('accepts every DSN form gatehouse can open', () => {
    for (const dsn of [
      'memory',
      'sqlite://gatehouse.sqlite?_fk=true',
      'sqlite://file::memory:?_fk=true',
      'postgres://user:pw@localhost:5432/db?sslmode=disable',
      'postgresql://localhost/db',
      'mysql://root:pw@tcp(localhost:3306)/db?parseTime=true',
      'cockroach://root@localhost:26257/defaultdb',
    ]) {
      assert.equal(loadConfig({ env: { DSN: dsn } }).dsn, dsn);
    }
  });
});
