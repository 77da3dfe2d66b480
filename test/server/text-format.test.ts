import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTextLine } from '../../src/observability/text-format.js';

test('log.format text: time, level, message, then key=value pairs', () => {
  const line = JSON.stringify({
    level: 'info',
    time: '2026-01-01T00:00:00.000Z',
    msg: 'request handled',
    method: 'GET',
    path: '/health/alive',
    status: 200,
    note: 'two words',
    tags: ['a', 'b'],
  });
  assert.equal(
    formatTextLine(`${line}\n`),
    '2026-01-01T00:00:00.000Z INFO  request handled method=GET path=/health/alive status=200 note="two words" tags="[\\"a\\",\\"b\\"]"\n',
  );
});

test('log.format text: a line that is not JSON is passed through', () => {
  assert.equal(formatTextLine('plain'), 'plain\n');
});
