import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { maskDsn } from '../../src/config/dsn.js';
import { loadConfig } from '../../src/config/load.js';
import { redactedConfig } from '../../src/config/redact.js';

describe('maskDsn', () => {
  it('masks the password of URL-style DSNs', () => {
    assert.equal(maskDsn('postgres://user:secret@host/db'), 'postgres://user:***@host/db');
    assert.equal(maskDsn('postgresql://user:p@ss:w/rd@host:5432/db?sslmode=disable'), 'postgresql://user:***@host:5432/db?sslmode=disable');
    assert.equal(maskDsn('mysql://root:secret@tcp(localhost:3306)/db?parseTime=true'), 'mysql://root:***@tcp(localhost:3306)/db?parseTime=true');
    assert.equal(maskDsn('cockroach://root@localhost:26257/defaultdb'), 'cockroach://root@localhost:26257/defaultdb');
  });

  it('masks password-like query parameters', () => {
    assert.equal(
      maskDsn('postgres://host/db?user=u&password=secret&sslpassword=x&sslmode=require'),
      'postgres://host/db?user=u&password=***&sslpassword=***&sslmode=require',
    );
  });

  it('leaves DSNs without secrets alone', () => {
    assert.equal(maskDsn('memory'), 'memory');
    assert.equal(maskDsn('sqlite://file:/tmp/x.db?_fk=true'), 'sqlite://file:/tmp/x.db?_fk=true');
  });

  it('masks keyword-style connection strings', () => {
    assert.equal(maskDsn('host=db user=u password=secret dbname=x'), 'host=db user=u password=*** dbname=x');
  });
});

describe('redactedConfig', () => {
  const config = loadConfig({
    env: {
      DSN: 'postgres://user:hunter2hunter2@db/gatehouse',
      SECRETS_PAGINATION: '["0123456789abcdef-new","0123456789abcdef-old"]',
      SERVE_READ_TLS_KEY_BASE64: 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t',
      SERVE_READ_TLS_CERT_BASE64: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
      TRACING_PROVIDERS_OTLP_AUTHORIZATION_HEADER: 'Bearer tracing-token',
    },
  });

  it('masks the dsn password and hides secrets', () => {
    const redacted = redactedConfig(config) as {
      dsn: string;
      secrets: { pagination: string[] };
      serve: { read: { tls: unknown } };
      tracing: { providers: { otlp: { authorization_header: string } } };
      log: unknown;
    };
    assert.equal(redacted.dsn, 'postgres://user:***@db/gatehouse');
    assert.deepEqual(redacted.secrets.pagination, ['***', '***']);
    assert.deepEqual(redacted.serve.read.tls, { key: { base64: '***' }, cert: { base64: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' } });
    assert.equal(redacted.tracing.providers.otlp.authorization_header, '***');
    assert.deepEqual(redacted.log, config.log);
  });

  it('is what JSON.stringify and util.inspect show of a loaded config', () => {
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      for (const secret of ['hunter2hunter2', '0123456789abcdef', 'LS0tLS1CRUdJTiBQUklWQVRF', 'tracing-token']) {
        assert.ok(!shown.includes(secret), `${secret} leaked`);
      }
      assert.ok(shown.includes('postgres://user:***@db/gatehouse'));
    }
  });

  it('leaves the config itself usable', () => {
    assert.equal(config.dsn, 'postgres://user:hunter2hunter2@db/gatehouse');
    assert.deepEqual(config.secrets.pagination, ['0123456789abcdef-new', '0123456789abcdef-old']);
  });
});
