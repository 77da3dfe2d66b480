import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreshnessGate } from '../../src/index/freshness-gate.js';

/** A head revision read that the test completes by hand, and a follower that is always caught up. */
function harness(maxStalenessMs = 0, freshAsOf = -Infinity, timeoutMs = 0) {
  const reads: { resolve: (revision: number) => void; reject: (e: Error) => void }[] = [];
  const reached: number[] = [];
  const follower = {
    applied: 0,
    freshAsOf,
    reach: async (revision: number) => void reached.push(revision),
  };
  let inUse = true;
  const gate = new FreshnessGate(
    { read: () => new Promise<number>((resolve, reject) => reads.push({ resolve, reject })) },
    follower,
    maxStalenessMs,
    () => inUse,
    timeoutMs,
  );
  return { gate, reads, reached, follower, setInUse: (v: boolean) => (inUse = v) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('FreshnessGate', () => {
  it('reads the head once for a burst of requests however many arrive, after they arrived', async () => {
    const { gate, reads, reached } = harness();
    const waits = Array.from({ length: 50 }, () => gate.ready()!);
    assert.equal(reads.length, 0, 'the read starts once this turn of the event loop has read its requests');
    await tick();
    assert.equal(reads.length, 1);
    reads[0]!.resolve(7);
    await Promise.all(waits);
    assert.deepEqual(reached, Array(50).fill(7));
    assert.equal(reads.length, 1);
  });

  it('fails every request sharing a read that is not answered in time as unavailable, and lets the next read through', async () => {
    const { gate, reads, reached } = harness(0, -Infinity, 20);
    const waits = Array.from({ length: 5 }, () => gate.ready()!);
    await tick();
    const outcomes = await Promise.allSettled(waits);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { kind?: string }).kind : o.status)),
      Array(5).fill('unavailable'),
    );
    reads[0]!.resolve(2);
    const next = gate.ready()!;
    await tick();
    assert.equal(reads.length, 2);
    reads[1]!.resolve(3);
    await next;
    assert.deepEqual(reached, [...Array(5).fill(2), 3]);
  });

  it('makes requests that arrive while a read is in flight wait for the next read, shared by all of them', async () => {
    const { gate, reads, reached } = harness();
    const first = gate.ready()!;
    await tick();
    assert.equal(reads.length, 1);
    const later = Array.from({ length: 20 }, () => gate.ready()!);
    let laterDone = false;
    void Promise.all(later).then(() => (laterDone = true));
    reads[0]!.resolve(3);
    await first;
    await tick();
    await tick();
    assert.equal(laterDone, false, 'a read that started before they arrived does not let them through');
    assert.equal(reads.length, 2);
    reads[1]!.resolve(4);
    await Promise.all(later);
    assert.deepEqual(reached, [3, ...Array(20).fill(4)]);
    assert.equal(reads.length, 2);
  });

  it('sends the next read the moment the one in flight is answered, before the requests it answered go on', async () => {
    const { gate, reads } = harness();
    const first = gate.ready()!;
    await tick();
    const later = gate.ready()!;
    let readsWhenFirstWentOn = 0;
    const firstDone = first.then(() => (readsWhenFirstWentOn = reads.length));
    reads[0]!.resolve(3);
    await firstDone;
    assert.equal(readsWhenFirstWentOn, 2);
    reads[1]!.resolve(4);
    await later;
    assert.equal(reads.length, 2);
  });

  it('fails the waiting requests when the head cannot be read, and recovers on the next one', async () => {
    const { gate, reads } = harness();
    const wait = gate.ready()!;
    await tick();
    reads[0]!.reject(new Error('database down'));
    await assert.rejects(wait, /database down/);
    const next = gate.ready()!;
    await tick();
    assert.equal(reads.length, 2);
    reads[1]!.resolve(1);
    await next;
  });

  it('lets reads through without a head read while the follower is within the staleness bound', async () => {
    const { gate, reads, follower } = harness(60_000, performance.now());
    assert.equal(gate.ready(), undefined);
    follower.freshAsOf = performance.now() - 120_000;
    const wait = gate.ready();
    assert.ok(wait instanceof Promise);
    await tick();
    reads[0]!.resolve(1);
    await wait;
  });

  it('with a revision to reach, reads no head: it passes at once when the index has it, else waits for the follower', async () => {
    const { gate, reads, reached, follower } = harness();
    follower.applied = 9;
    assert.equal(gate.ready({ kind: 'at-least', revision: 9 }), undefined);
    const wait = gate.ready({ kind: 'at-least', revision: 12 });
    assert.ok(wait instanceof Promise);
    await wait;
    await tick();
    assert.deepEqual(reached, [12]);
    assert.equal(reads.length, 0);
  });

  it('asked for the latest data, reads the head even within the staleness bound', async () => {
    const { gate, reads, reached } = harness(60_000, performance.now());
    assert.equal(gate.ready(), undefined);
    const wait = gate.ready({ kind: 'latest' })!;
    await tick();
    assert.equal(reads.length, 1);
    reads[0]!.resolve(5);
    await wait;
    assert.deepEqual(reached, [5]);
  });

  it('does not wait while the index answers nothing (warming up)', () => {
    const { gate, reads, setInUse } = harness();
    setInUse(false);
    assert.equal(gate.ready(), undefined);
    assert.equal(reads.length, 0);
  });

  it('over a database only this process writes, waits for its last write alone and never reads the head', async () => {
    const reached: number[] = [];
    const follower = { applied: 4, freshAsOf: -Infinity, reach: async (revision: number) => void reached.push(revision) };
    let lastWrite = 4;
    const gate = new FreshnessGate({ lastWrite: () => lastWrite }, follower, 0, () => true);
    assert.equal(gate.ready(), undefined, 'the index already holds the last write');
    lastWrite = 6;
    const wait = gate.ready();
    assert.notEqual(wait, undefined);
    await wait;
    assert.deepEqual(reached, [6]);
    assert.equal(gate.ready({ kind: 'at-least', revision: 3 }), undefined);
  });
});
