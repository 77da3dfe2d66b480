import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gcPausesIn } from '../../bench/gc-pauses.js';

test('a request that a pause overlapped, even a pause nested in another, is held up; one that ended before or began after is not', () => {
  const observed = ['gc minor 2.000 1100.000', 'gc major 10.000 1200.000', 'gc weakcb 1.000 1202.000', 'not a pause line', ''].join('\n');
  const spans = [
    [90, 99], // ended before the first pause: 9 ms
    [99, 101], // overlapped the first pause
    [103, 104], // between the pauses: 1 ms
    [205, 206], // inside the major pause, after the nested one ended
    [210, 213], // began as the major pause ended: 3 ms
  ].flat();
  const gc = gcPausesIn(observed, 1000, spans);
  assert.deepEqual({ ...gc }, { count: 3, totalMs: 13, maxMs: 10, heldUp: 2 / 5, p99UnheldMs: 9 });
});

test('no pauses: nothing is held up; no requests: no share and no p99', () => {
  assert.deepEqual({ ...gcPausesIn('', 0, [1, 3, 2, 3]) }, { count: 0, totalMs: 0, maxMs: 0, heldUp: 0, p99UnheldMs: 2 });
  const none = gcPausesIn('gc minor 1.000 5.000', 0, []);
  assert.equal(none.heldUp, 0);
  assert.ok(Number.isNaN(none.p99UnheldMs));
});
