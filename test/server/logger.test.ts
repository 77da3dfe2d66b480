import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';

test('an error logged with a DSN in its message or fields shows the DSN masked', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log');
  const fd = openSync(path, 'w');
  const logger = createLogger({ level: 'info', format: 'json', leak_sensitive_values: false }, fd);
  const err = Object.assign(new Error('connect failed for postgres:/user:Pw-s3cret@db/x (ECONNREFUSED)'), {
    detail: 'password=Pw-s3cret host=db',
  });
  logger.error({ err }, 'could not open the database');
  closeSync(fd);
  const line = JSON.parse(readFileSync(path, 'utf8')) as { err: { message: string; stack: string; detail: string } };
  assert.equal(line.err.message, 'connect failed for postgres:/user:***@db/x (ECONNREFUSED)');
  assert.equal(line.err.detail, 'password=*** host=db');
  assert.ok(line.err.stack.startsWith('Error: connect failed for postgres:/user:***@db/x (ECONNREFUSED)\n'));
  assert.ok(!readFileSync(path, 'utf8').includes('s3cret'));
});
