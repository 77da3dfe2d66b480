import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { ConfigError } from '../../src/config/error.js';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigSources } from '../../src/config/types.js';

function messagesOf(sources: ConfigSources): readonly string[] {
  try {
    loadConfig(sources);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.messages;
  }
  assert.fail('expected a ConfigError');
}

const withEnv = (env: Record<string, string>) => messagesOf({ env: { DSN: 'memory', ...env } });

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-config-')), name);
  writeFileSync(path, text);
  return path;
}

describe('configuration error messages', () => {
  it('names the key, the bad value and the bound', () => {
    assert.deepEqual(withEnv({ SERVE_READ_PORT: '70000' }), ['serve.read.port: must be <= 65535, got 70000']);
    assert.deepEqual(withEnv({ LIMIT_MAX_READ_DEPTH: '0' }), ['limit.max_read_depth: must be >= 1, got 0']);
  });

  it('names the expected type', () => {
    assert.deepEqual(withEnv({ SERVE_READ_PORT: 'http' }), ['serve.read.port: must be integer, got "http"']);
    assert.deepEqual(withEnv({ FEATURE_FLAGS_STRICT_MODE: 'maybe' }), [
      'feature_flags.strict_mode: must be boolean, got "maybe"',
    ]);
  });

  it('lists the allowed values of an enum', () => {
    assert.deepEqual(withEnv({ LOG_LEVEL: 'verbose' }), [
      'log.level: must be one of "panic", "fatal", "error", "warn", "info", "debug", "trace", got "verbose"',
    ]);
    assert.deepEqual(withEnv({ SERVE_READ_CORS_ALLOWED_METHODS: '["GET","FETCH"]' }), [
      'serve.read.cors.allowed_methods[1]: must be one of "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "TRACE", "PATCH", got "FETCH"',
    ]);
  });

  it('explains formats', () => {
    assert.deepEqual(withEnv({ SERVE_SHUTDOWN_GRACE_PERIOD: '5 seconds' }), [
      'serve.shutdown_grace_period: must be a duration such as 250ms, 5s or 1m30s, got "5 seconds"',
    ]);
    assert.deepEqual(withEnv({ NAMESPACES_LOCATION: './namespaces.ts' }), [
      'namespaces.location: must be a URI such as file://./namespaces.ts, got "./namespaces.ts"',
    ]);
    assert.deepEqual(withEnv({ VERSION: '0.14' }), ['version: must be a version such as v0.14.0, got "0.14"']);
    assert.deepEqual(withEnv({ TRACING_PROVIDERS_JAEGER_LOCAL_AGENT_ADDRESS: 'no port' }), [
      'tracing.providers.jaeger.local_agent_address: must be an address as host:port, got "no port"',
    ]);
  });

  it('reports a namespaces value of no accepted form', () => {
    const path = file('c.json', JSON.stringify({ dsn: 'memory', namespaces: 5 }));
    assert.deepEqual(messagesOf({ files: [path], env: {} }), [
      'namespaces: must be a URI, a list of namespaces or a mapping with a location, got 5',
    ]);
    assert.deepEqual(withEnv({ NAMESPACES: '[{"id":-1}]' }), [
      'namespaces[0].name: is required',
      'namespaces[0].id: must be >= 0, got -1',
    ]);
  });

  it('requires a dsn and checks its scheme', () => {
    assert.deepEqual(messagesOf({ env: {} }), [
      'dsn: is required; set it in a config file or with the environment variable DSN',
    ]);
    assert.deepEqual(messagesOf({ env: { DSN: 'redis://user:hunter2@cache/0' } }), [
      'dsn: must be memory, sqlite://PATH, postgres://, postgresql://, mysql:// or cockroach://, got "redis://user:***@cache/0"',
    ]);
    assert.deepEqual(messagesOf({ env: { DSN: 'sqlite://' } }), [
      'dsn: must be memory, sqlite://PATH, postgres://, postgresql://, mysql:// or cockroach://, got "sqlite://"',
    ]);
  });

  it('never echoes a secret', () => {
    assert.deepEqual(withEnv({ SECRETS_PAGINATION: 'tooshort' }), [
      'secrets.pagination[0]: must NOT have fewer than 16 characters, got "***"',
    ]);
  });

  it('names an unknown key and suggests the closest valid one', () => {
    const path = file('c.yml', 'dsn: memory\nserve:\n  read:\n    prot: 4000\nlimits:\n  max_read_depth: 3\nport: 1\n');
    assert.deepEqual(messagesOf({ files: [path], env: {} }), [
      'limits: unknown key, did you mean limit?',
      'port: unknown key, did you mean serve.read.port?',
      'serve.read.prot: unknown key, did you mean serve.read.port?',
    ]);
  });

  it('lists the allowed keys when nothing is close', () => {
    const path = file('c.yml', 'dsn: memory\nfeature_flags:\n  everything_fast: true\n');
    assert.deepEqual(messagesOf({ files: [path], env: {} }), [
      'feature_flags.everything_fast: unknown key, allowed keys are expand_rewrites, strict_mode, typescript_precedence',
    ]);
  });

  it('treats a __proto__ key as an unknown key', () => {
    const path = file('c.yml', 'dsn: memory\nserve:\n  __proto__: {polluted: 1}\n');
    assert.deepEqual(messagesOf({ files: [path], env: {} }), [
      'serve.__proto__: unknown key, allowed keys are read, write, metrics, opl, playground, shutdown_grace_period',
    ]);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('reports every problem at once', () => {
    assert.deepEqual(withEnv({ SERVE_READ_PORT: '-1', LOG_FORMAT: 'xml' }), [
      'serve.read.port: must be >= 0, got -1',
      'log.format: must be one of "json", "json_pretty", "gelf", "text", got "xml"',
    ]);
  });

  it('names the file that cannot be read or parsed', () => {
    const missing = join(tmpdir(), 'gatehouse-no-such-config.yml');
    assert.deepEqual(messagesOf({ files: [missing], env: {} }), [`${missing}: cannot read the config file (ENOENT)`]);
    const yaml = file('bad.yml', 'dsn: memory\nserve: [\n');
    const [yamlMessage] = messagesOf({ files: [yaml], env: {} });
    assert.match(yamlMessage!, new RegExp(`^${yaml}: invalid YAML at line \\d+, column \\d+: `));
    const json = file('bad.json', '{"dsn": }');
    const [jsonMessage] = messagesOf({ files: [json], env: {} });
    assert.match(jsonMessage!, new RegExp(`^${json}: invalid JSON: `));
    const list = file('list.yml', '- dsn: memory\n');
    assert.deepEqual(messagesOf({ files: [list], env: {} }), [
      `${list}: must hold a mapping of configuration keys, got a list`,
    ]);
  });

  it('is a GatehouseError whose message lists every problem', () => {
    try {
      loadConfig({ env: { DSN: 'memory', SERVE_READ_PORT: '70000', LOG_LEVEL: 'loud' } });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.kind, 'invalid_argument');
      assert.equal(
        error.message,
        'invalid configuration:\n' +
          '  serve.read.port: must be <= 65535, got 70000\n' +
          '  log.level: must be one of "panic", "fatal", "error", "warn", "info", "debug", "trace", got "loud"',
      );
    }
  });
});
