import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMs, parseDurationMs } from '../../src/config/duration.js';

describe('durations', () => {
  it('reads Go-style durations as milliseconds', () => {
    assert.equal(durationMs('5s'), 5000);
    assert.equal(durationMs('250ms'), 250);
    assert.equal(durationMs('1m30s'), 90_000);
    assert.equal(durationMs('1h'), 3_600_000);
    assert.equal(durationMs('1.5s'), 1500);
    assert.equal(durationMs('0s'), 0);
    assert.equal(durationMs('0'), 0);
    assert.equal(durationMs('500us'), 0.5);
  });

  it('rejects anything else', () => {
    for (const text of ['', '5', 's', '5 s', '5sec', '-1s', '1d', '5s ']) assert.equal(parseDurationMs(text), undefined, text);
    assert.throws(() => durationMs('soon'), { message: 'not a duration: "soon"' });
  });
});
