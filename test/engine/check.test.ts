import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { type CheckSettings, defaultCheckSettings } from '../../src/engine/limits.js';
import { GatehouseError } from '../../src/errors.js';
import type { ModelSnapshot } from '../../src/model.js';
import { NIL_NETWORK_ID, orderedSets } from '../../src/store/traverse-order.js';
import type { RelationTuple, SubjectSet } from '../../src/tuple.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { and, computed, fileModel, fileTuples, ns, or, permit, related, snapshot, t, traverse, tuples } from './hand-models.js';
import { currentReads } from '../../src/reader.js';

function engine(model: ModelSnapshot, data: RelationTuple[], settings: Partial<CheckSettings> = {}, async = false) {
  const source = new MemoryTupleSource(data, { async });
  return { source, engine: new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => ({ ...defaultCheckSettings, ...settings }) }) };
}

describe('check', () => {
  it('follows subject sets, traverse, and/not', () => {
    const { engine: e } = engine(fileModel, fileTuples, { maxReadDepth: 10 });
    assert.equal(e.check(t('Group:all#members@User:ann')), true);
    assert.equal(e.check(t('File:doc#view@User:ann')), true);
    assert.equal(e.check(t('Folder:sub#view@User:bob')), true);
    assert.equal(e.check(t('File:doc#view@User:bob')), false);
    assert.equal(e.check(t('File:doc#view@User:carl')), false);
  });

  it('answers the same through an asynchronous source', async () => {
    const { engine: e } = engine(fileModel, fileTuples, { maxReadDepth: 10 }, true);
    const answer = e.check(t('File:doc#view@User:ann'));
    assert.ok(answer instanceof Promise);
    assert.equal(await answer, true);
    assert.equal(await e.check(t('File:doc#view@User:bob')), false);
  });

  it('the default depth of 5 does not reach a member six hops away', () => {
    const { engine: e } = engine(fileModel, fileTuples);
    assert.equal(e.check(t('File:doc#view@User:ann')), false);
    assert.equal(e.check(t('File:doc#view@User:ann'), 10), false);
    const { engine: strict } = engine(fileModel, fileTuples, { strictMode: true });
    assert.throws(() => strict.check(t('File:doc#view@User:ann')), (err: unknown) => err instanceof GatehouseError && err.reason === 'max_depth_exceeded');
  });

  it('refuses an undeclared relation, and an unknown namespace is not found', () => {
    const { engine: e } = engine(fileModel, fileTuples);
    assert.throws(
      () => e.check(t('File:doc#nope@User:ann')),
      (err: unknown) => err instanceof GatehouseError && err.kind === 'invalid_argument' && err.reason === 'relation "nope" does not exist',
    );
    assert.throws(() => e.check(t('Nope:doc#view@User:ann')), (err: unknown) => err instanceof GatehouseError && err.kind === 'not_found');
    assert.throws(() => e.check(t('File:doc#view@Nope:x#y')), (err: unknown) => err instanceof GatehouseError && err.kind === 'not_found');
  });

  it('stops a cycle of permits with the call budget in every mode', () => {
    const model = snapshot([ns('User'), ns('Doc', related('x', 'User'), permit('a', and(computed('b'), computed('x'))), permit('b', and(computed('a'), computed('x'))))]);
    for (const strictMode of [false, true]) {
      const { engine: e } = engine(model, tuples('Doc:d#x@User:u'), { strictMode });
      assert.throws(
        () => e.check(t('Doc:d#a@User:u')),
        (err: unknown) => err instanceof GatehouseError && err.kind === 'unprocessable' && err.message === 'The check could not be completed',
      );
    }
  });

  it('terminates on subject-set cycles', () => {
    const model = snapshot([ns('G', related('p', 'G#p'))]);
    const { engine: e } = engine(model, tuples('G:a#p@G:b#p', 'G:b#p@G:c#p', 'G:c#p@G:a#p'));
    assert.equal(e.check(t('G:a#p@G:a#p')), true);
    assert.equal(e.check(t('G:a#p@G:x#p')), false);
  });
});

describe('reads from a remote source', () => {
  const model = snapshot([
    ns('User'),
    ns('Folder', related('viewers', 'User')),
    ns('Doc', related('parents', 'Folder'), permit('view', or(traverse('parents', 'viewers')))),
  ]);
  const parents = Array.from({ length: 50 }, (_, i) => t(`Doc:d#parents@Folder:f${i}`));

  it('asks for a whole frontier at once: a traverse over 50 parents costs 3 calls, not 101', async () => {
    const { source, engine: e } = engine(model, [...parents, t('Folder:f49#viewers@User:u')], {}, true);
    assert.equal(await e.check(t('Doc:d#view@User:u')), true);
    assert.equal(source.calls, 3);
    // Denied: the same three, then the permit's own direct tuple and subject sets (non-strict mode reads both).
    const denied = engine(model, parents, {}, true);
    assert.equal(await denied.engine.check(t('Doc:d#view@User:u')), false);
    assert.equal(denied.source.calls, 5);
  });

  it('a synchronous source is asked hop by hop and stops at the first member', () => {
    // The member sits on the parent a traverse walks first: Keto's listing order, not f0.
    const sets = parents.map((p) => (p.subject as { set: SubjectSet }).set);
    const first = sets[orderedSets(sets, NIL_NETWORK_ID).traverse[0]!]!.object;
    assert.notEqual(first, 'f0');
    const { source, engine: e } = engine(model, [...parents, t(`Folder:${first}#viewers@User:u`)]);
    assert.equal(e.check(t('Doc:d#view@User:u')), true);
    assert.ok(source.calls <= 4, `${source.calls} calls`);
  });
});
