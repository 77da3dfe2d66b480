import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** DSNs in every form a person writes them, each with the password "Pw-s3cret" (or a password-like value). */
const PASSWORD = 'Pw-s3cret';
/** True when the text shows five characters of the password in a row. */
const leaks = (text: string) => Array.from({ length: PASSWORD.length - 4 }, (_, i) => PASSWORD.slice(i, i + 5)).some((part) => text.includes(part));
const DSN_FORMS = [
  `postgres://user:${PASSWORD}@host/db`,
  `postgres:/user:${PASSWORD}@host/db`,
  `postgres:user:${PASSWORD}@host/db`,
  `postgres:${PASSWORD}@host/db`,
  `postgres:///user:${PASSWORD}@host/db`,
  `user:${PASSWORD}@host`,
  `user:${PASSWORD}@host:5432/db?sslmode=disable`,
  `mysql:user:${PASSWORD}@tcp(h:3306)/db`,
  `mysql:/user:${PASSWORD}@tcp(h:3306)/db?parseTime=true`,
  `root:${PASSWORD}@tcp(h:3306)/db`,
  `redis://user:${PASSWORD}@cache/0`,
  `postgres://user:${PASSWORD}#x@host/db`,
  `postgres://user:${PASSWORD}?x@host/db`,
  `postgres://user:p@${PASSWORD}@host/db?application_name=a@b`,
  `cockroach:user:${PASSWORD}@host:26257/db`,
  `postgres://host/db?user=u&password=${PASSWORD}`,
  `postgres:host/db?pwd=${PASSWORD}`,
  `host=db user=u password=${PASSWORD} dbname=x`,
  `host=db user=u password='${PASSWORD} x' dbname=x`,
  `Server=h;User Id=u;Password=${PASSWORD};Database=d`,
];

describe('DSNs in any form', () => {
  it('maskDsn hides the password of each', () => {
    for (const dsn of DSN_FORMS) {
      const masked = maskDsn(dsn);
      assert.ok(!leaks(masked), `${dsn} → ${masked}`);
      assert.ok(masked.includes('***'), `${dsn} → ${masked}`);
    }
  });

  it('keeps what is not secret', () => {
    assert.equal(maskDsn(`postgres:/user:${PASSWORD}@host/db`), 'postgres:/user:***@host/db');
    assert.equal(maskDsn(`user:${PASSWORD}@host`), 'user:***@host');
    assert.equal(maskDsn(`mysql:user:${PASSWORD}@tcp(h:3306)/db`), 'mysql:user:***@tcp(h:3306)/db');
    assert.equal(maskDsn(`postgres:${PASSWORD}@host/db`), 'postgres:***@host/db');
    assert.equal(maskDsn(`postgres://user:${PASSWORD}?x@host/db`), 'postgres://user:***@host/db');
    assert.equal(maskDsn('postgres://u:pw@host/db?application_name=a@b'), 'postgres://u:***@host/db?application_name=a@b');
    assert.equal(maskDsn('sqlite:///tmp/a@b.db'), 'sqlite:///tmp/a@b.db');
    assert.equal(maskDsn('alice@example.com'), 'alice@example.com');
  });

  it('the validator never echoes the password, in any form, from the environment or a file', () => {
    for (const dsn of DSN_FORMS) {
      let message = '';
      try {
        loadConfig({ env: { DSN: dsn } });
      } catch (err) {
        message = (err as Error).message;
      }
      assert.ok(!leaks(message), `${dsn}: ${message}`);
    }
  });

  it('a config file that does not parse never echoes the DSN it holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redact-'));
    try {
      const texts: [string, string][] = [
        ['a.json', `{"dsn": postgres:/user:${PASSWORD}@host/db}`],
        ['b.json', `{"dsn": "user:${PASSWORD}@tcp(h:3306)/db", "x": }`],
        ['c.json', `{"dsn": "postgres:/user:${PASSWORD}`],
        ['f.json', `{"dsn":u:${PASSWORD}@h}`],
        ['d.yml', `dsn: postgres:/user:${PASSWORD}@host/db\n  bad: [`],
        ['e.yml', `dsn: "postgres:/user:${PASSWORD}@host/db\nx: 1`],
      ];
      for (const [name, text] of texts) {
        const file = join(dir, name);
        writeFileSync(file, text);
        let message = '';
        try {
          loadConfig({ files: [file], env: {} });
        } catch (err) {
          message = (err as Error).message;
        }
        assert.ok(message.startsWith('invalid configuration'), message);
        assert.ok(!leaks(message), `${name}: ${message}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
