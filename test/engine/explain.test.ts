import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import type { Explanation } from '../../src/engine/explanation.js';
import { type CheckSettings, defaultCheckSettings } from '../../src/engine/limits.js';
import type { ModelSnapshot } from '../../src/model.js';
import { currentReads } from '../../src/reader.js';
import type { RelationTuple } from '../../src/tuple.js';
import { type SourceKind, sourceOf } from '../support/memory-source.js';
import { and, computed, fileModel, fileTuples, ns, permit, snapshot, t, tuples } from './hand-models.js';

const model = fileModel;
const data = fileTuples;

function engineOver(kind: SourceKind, rows: RelationTuple[], settings: Partial<CheckSettings> = {}, m: ModelSnapshot = model) {
  return new CheckEngine({ reads: currentReads(sourceOf(kind, rows)), model: () => m, settings: () => ({ ...defaultCheckSettings, ...settings }) });
}

/** An explanation drawn one step per line, indented by depth: what a test can compare at a glance. */
function lines(e: Explanation, depth = 0): string[] {
  const key = e.namespace === undefined ? '' : ` ${e.namespace}:${e.object}#${e.relation ?? ''}`;
  const extra = e.operator !== undefined ? ` ${e.operator}` : e.computed !== undefined ? ` → ${e.computed}` : '';
  return [`${'  '.repeat(depth)}${e.step}${key}${extra}: ${e.result}`, ...e.children.flatMap((c) => lines(c, depth + 1))];
}

describe('explained checks', () => {
  for (const kind of ['memory', 'async memory', 'tuple index'] as const) {
    it(`allowed: the one path that granted it, through rewrites, traverse and groups (${kind})`, async () => {
      const result = await engineOver(kind, data, { maxReadDepth: 10 }).explain(t('File:doc#view@User:ann'));
      assert.equal(result.allowed, true);
      assert.deepEqual(lines(result.explanation), [
        'check File:doc#view: allowed',
        '  rewrite File:doc# and: allowed',
        '    rewrite File:doc# or: allowed',
        '      traverse File:doc#parents → view: allowed',
        '        check Folder:sub#view: allowed',
        '          rewrite Folder:sub# or: allowed',
        '            traverse Folder:sub#parents → view: allowed',
        '              check Folder:root#view: allowed',
        '                rewrite Folder:root# or: allowed',
        '                  check Folder:root#viewers: allowed',
        '                    expand Folder:root#viewers: allowed',
        '                      check Group:all#members: allowed',
        '                        expand Group:all#members: allowed',
        '                          tuple Group:eng#members: allowed',
        '    not File:doc#: allowed',
        '      check File:doc#banned: denied',
        '        tuple File:doc#banned: denied',
        '        expand File:doc#banned: denied',
        '          check User:bob#: denied',
        '            expand User:bob#: denied',
      ]);
    });
  }

  it('denied: every branch tried, and why each failed (here: the `!` of a granted branch)', async () => {
    const result = await engineOver('tuple index', data, { maxReadDepth: 10 }).explain(t('File:doc#view@User:bob'));
    assert.equal(result.allowed, false);
    const drawn = lines(result.explanation);
    assert.deepEqual(drawn, [
      'check File:doc#view: denied',
      '  rewrite File:doc# and: denied',
      '    rewrite File:doc# or: allowed',
      '      traverse File:doc#parents → view: allowed',
      '        check Folder:sub#view: allowed',
      '          rewrite Folder:sub# or: allowed',
      '            traverse Folder:sub#parents → view: allowed',
      '              check Folder:root#view: allowed',
      '                rewrite Folder:root# or: allowed',
      '                  tuple Folder:root#viewers: allowed',
      '    not File:doc#: denied',
      '      check File:doc#banned: allowed',
      '        tuple File:doc#banned: allowed',
      '  tuple File:doc#view: denied',
      '  expand File:doc#view: denied',
    ]);
  });

  it('a limit is named where it was hit; in strict mode the check fails and still explains', async () => {
    const chain = tuples('Group:a#members@Group:b#members', 'Group:b#members@Group:c#members', 'Group:c#members@User:ann');
    const lenient = await engineOver('tuple index', chain, { maxReadDepth: 1 }).explain(t('Group:a#members@User:ann'));
    assert.equal(lenient.allowed, false);
    assert.equal(lenient.error, undefined);
    assert.equal(lenient.explanation.result, 'max_depth_exceeded');
    const strict = await engineOver('tuple index', chain, { maxReadDepth: 1, strictMode: true }).explain(t('Group:a#members@User:ann'));
    assert.equal(strict.allowed, false);
    assert.equal(strict.error?.reason, 'max_depth_exceeded');
    assert.deepEqual(lines(strict.explanation), lines(lenient.explanation));
  });

  it('the call budget: every step on the path that ran out is marked', async () => {
    // `&&` children are reached without spending depth: only the call budget stops this cycle.
    const cyclic = snapshot([ns('User'), ns('Doc', permit('a', and(computed('b'), computed('b'))), permit('b', and(computed('a'), computed('a'))))]);
    const result = await engineOver('tuple index', [], {}, cyclic).explain(t('Doc:d#a@User:ann'));
    assert.equal(result.allowed, false);
    assert.equal(result.error?.kind, 'unprocessable');
    assert.equal(result.explanation.result, 'call_budget_exceeded');
    let deepest = result.explanation;
    let depth = 0;
    while (deepest.children.length > 0) {
      deepest = deepest.children[deepest.children.length - 1]!;
      depth++;
    }
    assert.equal(deepest.result, 'call_budget_exceeded');
    assert.ok(depth > 100, `${depth} steps deep`);
  });

  it('explaining never changes the answer: the same outcomes as check on every question of a model', async () => {
    const engine = engineOver('tuple index', data, { maxReadDepth: 10 });
    for (const subject of ['ann', 'bob', 'nobody']) {
      for (const question of ['File:doc#view', 'Folder:sub#view', 'Folder:root#viewers', 'Group:all#members']) {
        const tuple = t(`${question}@User:${subject}`);
        assert.equal((await engine.explain(tuple)).allowed, await engine.check(tuple), `${question}@${subject}`);
      }
    }
  });
});
