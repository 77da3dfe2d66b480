import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { changedKeys, needsRestart, planReload } from '../../src/config/reload-plan.js';

describe('reload classification', () => {
  it('marks listeners, the database, the index settings but freshness, the log sink and tracing as restart-only', () => {
    for (const key of [
      'dsn',
      'serve.read.port',
      'serve.write.host',
      'serve.metrics.tls.cert.path',
      'serve.opl.cors.enabled',
      'serve.read.auth.client_ca.path',
      'serve.read.request_timeout',
      'database.max_conns',
      'index.enabled',
      'index.memory_budget',
      'index.max_staleness',
      'index.freshness_timeout',
      'log.format',
      'profiling',
      'tracing.provider',
    ]) {
      assert.ok(needsRestart(key), key);
    }
    for (const key of [
      'namespaces',
      'namespaces.location',
      'log.level',
      'limit.max_read_depth',
      'feature_flags.strict_mode',
      'secrets.pagination',
      'serve.shutdown_grace_period',
      'serve.write.auth.preshared_keys',
    ]) {
      assert.ok(!needsRestart(key), key);
    }
  });

  it('lists changed leaves, comparing lists whole', () => {
    assert.deepEqual(changedKeys({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { b: 2, c: [1, 2] }, e: 'y' }), ['a.b', 'd', 'e']);
    assert.deepEqual(changedKeys({ n: 'file:///a' }, { n: { location: 'file:///a' } }), ['n']);
  });

  it('keeps restart-only values and takes the rest', () => {
    const running = loadConfig({ env: { DSN: 'memory', SERVE_READ_PORT: '5000' } });
    const next = loadConfig({ env: { DSN: 'sqlite://x.db', SERVE_READ_PORT: '6000', LIMIT_MAX_READ_WIDTH: '50' } });
    const plan = planReload(running, next);
    assert.deepEqual(plan.applied, ['limit.max_read_width']);
    assert.deepEqual(plan.restartRequired, ['dsn', 'serve.read.port']);
    assert.equal((plan.config as { dsn: string }).dsn, 'memory');
    assert.deepEqual(plan.config, { ...structuredClone(next), dsn: 'memory', serve: running.serve } as unknown);
  });
});
