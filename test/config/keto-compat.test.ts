import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';

/** A configuration using every key of Keto's own schema. */
const KETO_CONFIG = `
$schema: https://example.test/keto/config.schema.json
version: v0.14.0
dsn: postgres://keto:secret@db:5432/keto?sslmode=disable&max_conns=20
serve:
  read:
    host: 0.0.0.0
    port: 4466
    write_listen_file: file:///tmp/keto-read-api
    cors:
      enabled: true
      allowed_origins: [https://example.test, "https://*.example.test"]
      allowed_methods: [GET, POST]
      allowed_headers: [Authorization]
      exposed_headers: [Content-Type]
      allow_credentials: true
      max_age: 60
      debug: false
    tls:
      key: { path: /etc/tls/key.pem }
      cert: { base64: LS0tLS1CRUdJTg== }
  write: { host: localhost, port: 4467 }
  metrics: { port: 4468 }
  opl: { port: 4469 }
profiling: cpu
log:
  level: debug
  format: json_pretty
  leak_sensitive_values: true
  redaction_text: "[redacted]"
  additional_redacted_headers: [X-Api-Key]
tracing:
  provider: otel
  service_name: Ory Keto
  deployment_environment: production
  providers:
    jaeger:
      local_agent_address: 127.0.0.1:6831
      sampling: { server_url: "http://localhost:5778/sampling", trace_id_ratio: 0.5 }
    zipkin:
      server_url: http://localhost:9411/api/v2/spans
      sampling: { sampling_ratio: 0.4 }
    otlp:
      server_url: localhost:4318
      insecure: true
      sampling: { sampling_ratio: 0.4 }
      authorization_header: Bearer abc
namespaces:
  location: file:///etc/keto/namespaces.ts
  experimental_strict_mode: true
limit:
  max_read_depth: 10
  max_read_width: 200
  max_batch_check_size: 50
  batch_check_max_parallelization: 10
  max_expand_size: 1000
clients:
  http:
    disallow_private_ip_ranges: true
secrets:
  pagination: ["a secret of sixteen or more", "an older secret of sixteen+"]
feature_flags:
  expand_rewrites: true
  strict_mode: true
`;

describe("Keto's configuration format", () => {
  it('accepts a configuration that uses every Keto key', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-keto-')), 'keto.yml');
    writeFileSync(file, KETO_CONFIG);
    const config = loadConfig({ files: [file], env: {} });
    assert.equal(config.serve.read.cors.max_age, 60);
    assert.equal(config.tracing?.providers?.jaeger?.sampling?.trace_id_ratio, 0.5);
    assert.deepEqual(config.namespaces, { location: 'file:///etc/keto/namespaces.ts', experimental_strict_mode: true });
    assert.equal(config.limit.max_expand_size, 1000);
    assert.equal(config.profiling, 'cpu');
  });

  it('accepts the legacy namespace forms', () => {
    const list = loadConfig({ env: { DSN: 'memory', NAMESPACES: '[{"id":0,"name":"files","config":{}},{"name":"dirs"}]' } });
    assert.deepEqual(list.namespaces, [{ id: 0, name: 'files', config: {} }, { name: 'dirs' }]);
    const uri = loadConfig({ env: { DSN: 'memory', NAMESPACES: 'file:///etc/keto/namespaces' } });
    assert.equal(uri.namespaces, 'file:///etc/keto/namespaces');
  });
});
