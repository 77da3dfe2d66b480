import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { type CheckSettings, clampDepth, defaultCheckSettings } from '../../src/engine/limits.js';
import type { TupleSource } from '../../src/reader.js';
import { currentReads } from '../../src/reader.js';
import { GatehouseError } from '../../src/errors.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import type { RelationTuple } from '../../src/tuple.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { and, computed, ns, or, permit, related, snapshot, t, traverse, tuples } from './hand-models.js';

const groups = snapshot([ns('User'), ns('Group', related('members', 'User', 'Group#members'))]);

function engineOver(model: ModelSnapshot, data: readonly RelationTuple[] | TupleSource, settings: Partial<CheckSettings> = {}) {
  const source = Array.isArray(data) ? new MemoryTupleSource(data) : (data as TupleSource);
  return new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => ({ ...defaultCheckSettings, ...settings }) });
}

/** `Group:g0#members@Group:g1#members`, …, with `User:u` in the last group. */
function chain(length: number): RelationTuple[] {
  const out = Array.from({ length: length - 1 }, (_, i) => t(`Group:g${i}#members@Group:g${i + 1}#members`));
  out.push(t(`Group:g${length - 1}#members@User:u`));
  return out;
}

const limited = (reason: string) => (err: unknown) =>
  err instanceof GatehouseError && err.kind === 'unprocessable' && err.message === 'The check could not be completed' && err.reason === reason;

describe('limits', () => {
  it('depth: the smaller of the request and the global limit; ≤ 0 means the global limit', () => {
    assert.equal(clampDepth(3, 5), 3);
    assert.equal(clampDepth(9, 5), 5);
    assert.equal(clampDepth(0, 5), 5);
    assert.equal(clampDepth(-2, 5), 5);
    assert.equal(clampDepth(undefined, 5), 5);
  });

  it('depth: a member n hops away needs depth n; short of it non-strict says no, strict fails', () => {
    // g0 → … → g4 → User:u: the look-ahead sees the user from g3, so 4 hops are needed.
    const data = chain(5);
    assert.equal(engineOver(groups, data).check(t('Group:g0#members@User:u'), 4), true);
    assert.equal(engineOver(groups, data).check(t('Group:g0#members@User:u'), 3), false);
    assert.equal(engineOver(groups, data, { maxReadDepth: 3 }).check(t('Group:g0#members@User:u'), 10), false);
    assert.throws(() => engineOver(groups, data, { strictMode: true }).check(t('Group:g0#members@User:u'), 3), limited('max_depth_exceeded'));
    assert.equal(engineOver(groups, data, { strictMode: true }).check(t('Group:g0#members@User:u'), 4), true);
    // A definite "no" is not turned into an error: nothing was cut off.
    assert.equal(engineOver(groups, chain(2), { strictMode: true }).check(t('Group:g0#members@User:x'), 5), false);
  });

  it('width: only the first max_read_width subject sets of a hop are expanded', () => {
    const data = [
      ...['a', 'b', 'c'].map((g) => t(`Group:top#members@Group:${g}#members`)),
      ...['a', 'b', 'c'].map((g) => t(`Group:${g}#members@Group:${g}2#members`)),
      t('Group:c2#members@User:u'),
    ];
    assert.equal(engineOver(groups, data).check(t('Group:top#members@User:u')), true);
    assert.equal(engineOver(groups, data, { maxReadWidth: 2 }).check(t('Group:top#members@User:u')), false);
    assert.throws(() => engineOver(groups, data, { maxReadWidth: 2, strictMode: true }).check(t('Group:top#members@User:u')), limited('max_width_exceeded'));
    assert.equal(engineOver(groups, data, { maxReadWidth: 3, strictMode: true }).check(t('Group:top#members@User:u')), true);
    // The look-ahead covers every row, even past the width limit.
    assert.equal(engineOver(groups, [...data, t('Group:c#members@User:v')], { maxReadWidth: 1 }).check(t('Group:top#members@User:v')), true);
  });

  it('call budget: a cycle of permits that consumes no depth fails in both modes, never overflows the stack', () => {
    const model = snapshot([ns('User'), ns('Doc', related('x', 'User'), permit('a', and(computed('b'), computed('x'))), permit('b', and(computed('a'), computed('x'))))]);
    for (const strictMode of [false, true]) {
      assert.throws(
        () => engineOver(model, tuples('Doc:d#x@User:u'), { strictMode, maxReadDepth: 100_000 }).check(t('Doc:d#a@User:u')),
        (err: unknown) => err instanceof GatehouseError && err.kind === 'unprocessable' && /too many resolution steps/.test(err.reason ?? ''),
      );
    }
  });

  it('call budget: counted step by step as Keto counts them (a path may hold 1000 steps)', () => {
    // p0 = p1 && x, p1 = p2 && x, …, the last permit = x && x. Checking p0 nests, per permit,
    // IsAllowed → Rewrite → Computed, then IsAllowed(x) and its Direct lookup: 3n + 2 steps.
    const permits = (n: number) =>
      snapshot([
        ns('User'),
        ns('Doc', related('x', 'User'), ...Array.from({ length: n }, (_, i) => permit(`p${i}`, and(computed(i + 1 < n ? `p${i + 1}` : 'x'), computed('x'))))),
      ]);
    const data = tuples('Doc:d#x@User:u');
    assert.equal(engineOver(permits(332), data).check(t('Doc:d#p0@User:u')), true);
    assert.throws(() => engineOver(permits(333), data).check(t('Doc:d#p0@User:u')), (err: unknown) => err instanceof GatehouseError && /too many resolution steps/.test(err.reason ?? ''));
  });

  it('a chain of 10 000 subject sets: false at the default depth, the call budget when the depth allows it', () => {
    const data = chain(10_000);
    assert.equal(engineOver(groups, data).check(t('Group:g0#members@User:u')), false);
    assert.throws(() => engineOver(groups, data, { maxReadDepth: 1_000_000 }).check(t('Group:g0#members@User:u'), 1_000_000), (err: unknown) => err instanceof GatehouseError && err.kind === 'unprocessable');
  });

  it('cycles of subject sets terminate with Keto\'s answers', () => {
    const data = tuples('Group:a#members@Group:b#members', 'Group:b#members@Group:c#members', 'Group:c#members@Group:a#members', 'Group:c#members@User:u');
    for (const g of ['a', 'b', 'c']) {
      assert.equal(engineOver(groups, data).check(t(`Group:${g}#members@User:u`)), true);
      assert.equal(engineOver(groups, data).check(t(`Group:${g}#members@User:x`)), false);
      assert.equal(engineOver(groups, data).check(t(`Group:${g}#members@Group:a#members`)), true);
    }
  });

  it('non-strict honours tuples written directly on a permit; strict ignores them', () => {
    const model = snapshot([ns('User'), ns('Doc', related('owner', 'User'), permit('edit', or(computed('owner'))))]);
    const data = tuples('Doc:d#edit@User:eve');
    assert.equal(engineOver(model, data).check(t('Doc:d#edit@User:eve')), true);
    assert.equal(engineOver(model, data, { strictMode: true }).check(t('Doc:d#edit@User:eve')), false);
  });

  it('strict mode expands only declared subject-set types', () => {
    const model = snapshot([ns('User'), ns('Team', related('members', 'User')), ns('Group', related('members', 'User', 'Group#members'))]);
    const data = tuples('Group:g#members@Team:t#members', 'Team:t#members@User:u');
    assert.equal(engineOver(model, data).check(t('Group:g#members@User:u')), true);
    assert.equal(engineOver(model, data, { strictMode: true }).check(t('Group:g#members@User:u')), false);
  });

  it('BatchCheck: at most max_batch_check_size tuples, at most batch_check_max_parallelization at once, results in order', async () => {
    let running = 0;
    let peak = 0;
    const inner = new MemoryTupleSource(chain(3));
    const slow: TupleSource = {
      hasSubject: async (keys, subject) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return inner.hasSubject(keys, subject);
      },
      subjectSets: async (keys, limit) => inner.subjectSets(keys, limit),
      orderedSubjectSets: async (keys) => inner.orderedSubjectSets(keys),
      subjects: async (key, limit) => inner.subjects(key, limit),
      keysOf: async (subject, namespace) => inner.keysOf(subject, namespace),
      objectsIn: async (namespace, range) => inner.objectsIn(namespace, range),
      subjectsOfKind: async (kind, range) => inner.subjectsOfKind(kind, range),
    };
    const engine = engineOver(groups, slow);
    const items = Array.from({ length: 8 }, (_, i) => t(i % 2 === 0 ? 'Group:g2#members@User:u' : 'Group:g2#members@User:x'));
    const results = await engine.batchCheck(items, 0, { maxBatchCheckSize: 8, maxParallelization: 3 });
    assert.deepEqual(results.map((r) => r.allowed), [true, false, true, false, true, false, true, false]);
    assert.equal(peak, 3);
    await assert.rejects(
      engine.batchCheck([...items, items[0] as RelationTuple], 0, { maxBatchCheckSize: 8, maxParallelization: 3 }),
      (err: unknown) => err instanceof GatehouseError && err.kind === 'invalid_argument' && err.message === 'batch exceeds max size of 8',
    );
  });

  it('BatchCheck: strict limits and failures become that result\'s error, the others still answer', async () => {
    const engine = engineOver(groups, chain(5), { strictMode: true });
    const results = await engine.batchCheck([t('Group:g0#members@User:u'), t('Nope:x#y@User:u'), t('Group:g0#nope@User:u'), t('Group:g4#members@User:u')], 3, {
      maxBatchCheckSize: 10,
      maxParallelization: 5,
    });
    assert.deepEqual(results[0], { allowed: false, error: { limit: 'max_depth_exceeded' } });
    assert.equal((results[1]?.error as GatehouseError).kind, 'not_found');
    assert.equal((results[2]?.error as GatehouseError).reason, 'relation "nope" does not exist');
    assert.deepEqual(results[3], { allowed: true });
  });

  it('a synchronous source answers synchronously, an asynchronous one through a Promise', async () => {
    const sync = engineOver(groups, chain(3)).check(t('Group:g0#members@User:u'));
    assert.equal(sync, true);
    const async = engineOver(groups, new MemoryTupleSource(chain(3), { async: true })).check(t('Group:g0#members@User:u'));
    assert.ok(async instanceof Promise);
    assert.equal(await async, true);
  });
});

describe('long evaluations', () => {
  it('a check of hundreds of thousands of steps over a synchronous source lets the event loop turn, and still answers', async () => {
    // Every folder is a parent of every other: traverse follows all of them to the depth limit.
    const folders = Array.from({ length: 12 }, (_, i) => `f${i}`);
    const model = snapshot([ns('User'), ns('Folder', related('parents', 'Folder'), related('viewers', 'User'), permit('view', or(computed('viewers'), traverse('parents', 'view'))))]);
    const data = folders.flatMap((a) => folders.filter((b) => b !== a).map((b) => t(`Folder:${a}#parents@Folder:${b}`)));
    const engine = engineOver(model, data);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const answer = engine.check(t('Folder:f0#view@User:nobody'));
    assert.ok(answer instanceof Promise);
    assert.equal(await answer, false);
    counting = false;
    assert.ok(turns > 1, `${turns} turns`);
  });

  it('over the in-memory index, a long check pauses between slices of steps and answers as a short one would', async () => {
    const folders = Array.from({ length: 12 }, (_, i) => `f${i}`);
    const model = snapshot([ns('User'), ns('Folder', related('parents', 'Folder'), related('viewers', 'User'), permit('view', or(computed('viewers'), traverse('parents', 'view'))))]);
    const data = [...folders.flatMap((a) => folders.filter((b) => b !== a).map((b) => t(`Folder:${a}#parents@Folder:${b}`))), t('Folder:f11#viewers@User:ann')];
    const index = new TupleIndex();
    for (const row of data) index.insert(row);
    const engine = new CheckEngine({ reads: currentReads(index), model: () => model, settings: () => defaultCheckSettings });
    const long = engine.check(t('Folder:f0#view@User:nobody'));
    assert.ok(long instanceof Promise, 'paused, to let the event loop turn');
    assert.equal(await long, false);
    const found = engine.check(t('Folder:f0#view@User:ann'));
    assert.equal(found, true, 'a short check is answered synchronously');
  });

  it('while eight worst-case checks run over the index (a 100 → 100 → 10 fan-out of subject sets, absent subject), other work gets turns', async () => {
    const index = new TupleIndex();
    const members = (object: string) => ({ set: { namespace: 'Group', object, relation: 'members' } });
    for (let i = 0; i < 100; i++) {
      index.insert({ namespace: 'Doc', object: 'd', relation: 'viewers', subject: members(`g${i}`) });
      for (let j = 0; j < 100; j++) {
        index.insert({ namespace: 'Group', object: `g${i}`, relation: 'members', subject: members(`h${i}.${j}`) });
        for (let k = 0; k < 10; k++) index.insert({ namespace: 'Group', object: `h${i}.${j}`, relation: 'members', subject: members(`k${i}.${j}.${k}`) });
      }
    }
    const model = snapshot([ns('User'), ns('Group', related('members', 'User', 'Group#members')), ns('Doc', related('viewers', 'User', 'Group#members'))]);
    const engine = new CheckEngine({ reads: currentReads(index), model: () => model, settings: () => defaultCheckSettings });
    const order: string[] = [];
    const checks = Array.from({ length: 8 }, async (_, i) => {
      assert.equal(await engine.check(t('Doc:d#viewers@User:absent')), false);
      order.push(`check ${i}`);
    });
    // What a health probe needs: one turn of the event loop while the checks are in flight.
    const probe = new Promise<void>((resolve) => setImmediate(resolve)).then(() => order.push('probe'));
    await Promise.all([...checks, probe]);
    assert.equal(order[0], 'probe');
    assert.equal(order.length, 9);
  });
});
