import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlight } from '../../src/transport/in-flight.js';

const request = (name: string, answered: string[]) => ({ answerUnavailable: () => answered.push(name) });

test('in flight: requests counted until finished, each once; shutdown answers those left, oldest first', async () => {
  const inFlight = new InFlight();
  const answered: string[] = [];
  const done = ['a', 'b', 'c', 'd'].map((name) => inFlight.add(request(name, answered)));
  assert.equal(inFlight.size, 4);
  done[1]!();
  done[1]!();
  assert.equal(inFlight.size, 3);
  assert.equal(inFlight.answerAllUnavailable(), 3);
  assert.deepEqual(answered, ['a', 'c', 'd']);
  const idle = inFlight.whenIdle(60_000);
  done[3]!();
  done[0]!();
  const late = inFlight.add(request('e', answered));
  done[2]!();
  assert.equal(inFlight.size, 1);
  late();
  assert.equal(await idle, true);
  assert.equal(inFlight.size, 0);
  assert.equal(inFlight.answerAllUnavailable(), 0);
  assert.equal(await inFlight.whenIdle(0), true);
});

test('in flight: waiting for idle gives up after its time', async () => {
  const inFlight = new InFlight();
  const done = inFlight.add(request('a', []));
  assert.equal(await inFlight.whenIdle(1), false);
  done();
  assert.equal(inFlight.size, 0);
});
