import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { isUnknown, MEMBER, type Outcome } from '../../src/engine/outcome.js';
import { formatSubject } from '../../src/api/tuple-string.js';
import { currentReads } from '../../src/reader.js';
import { type SourceKind, sourceOf } from '../support/memory-source.js';
import { NotStratified, Oracle } from '../support/oracle.js';
import { snapshot } from './hand-models.js';
import { randomWorld, type RandomWorldOptions } from './random-models.js';

/**
 * The engine against the naive fixpoint oracle on random models and tuple sets, every
 * (object, relation, subject) triple of each world, in both modes, with the depth and
 * width limits raised above anything the world needs.
 */
const LIMITS = { maxReadDepth: 200, maxReadWidth: 10_000 };

/** Runs are reproducible: the same worlds every time unless GATEHOUSE_PROPERTY_SEED asks for others. */
const SEED = Number(process.env.GATEHOUSE_PROPERTY_SEED ?? 20_261_125);
let property = 0;
const runs = (numRuns: number) => ({ numRuns, seed: SEED + property++ });

interface Tally {
  triples: number;
  worlds: number;
  skipped: number;
}


async function compareWorld(seed: number, options: RandomWorldOptions, strictMode: boolean, tally: Tally, kind: SourceKind = 'memory'): Promise<void> {
  const world = randomWorld(seed, options);
  const model = snapshot(world.namespaces);
  const source = sourceOf(kind, world.tuples);
  const engine = new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => ({ ...LIMITS, strictMode }) });
  const oracle = new Oracle(model, world.tuples, { strict: strictMode });
  let triples = 0;
  try {
    for (const ns of world.namespaces) {
      for (const object of world.objects.get(ns.name) ?? []) {
        for (const rel of ns.relations) {
          for (const subject of world.subjects) {
            const expected = oracle.holds(ns.name, object, rel.name, subject);
            const answer = engine.evaluate({ namespace: ns.name, object, relation: rel.name, subject }, undefined);
            const outcome: Outcome = answer instanceof Promise ? await answer : answer;
            const where = `seed ${seed} ${JSON.stringify(options)} strict=${strictMode}: ${ns.name}:${object}#${rel.name}@${formatSubject(subject)}`;
            assert.ok(!isUnknown(outcome), `${where}: a limit was hit`);
            assert.equal(outcome === MEMBER, expected, where);
            triples++;
          }
        }
      }
    }
  } catch (err) {
    if (!(err instanceof NotStratified)) throw err;
    tally.skipped++;
    return;
  }
  tally.triples += triples;
  tally.worlds++;
}

describe('engine versus oracle on random worlds', () => {
  const tally: Tally = { triples: 0, worlds: 0, skipped: 0 };

  for (const strictMode of [false, true]) {
    it(`acyclic data with and/or/not, strict=${strictMode}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => compareWorld(seed, { acyclic: true, andNot: true }, strictMode, tally)),
        runs(50),
      );
    });
    it(`cyclic data, only ||, strict=${strictMode}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => compareWorld(seed, { acyclic: false, andNot: false }, strictMode, tally)),
        runs(50),
      );
    });
  }

  it('an asynchronous source (reads batched per frontier and kept for the check) gives the same answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(), (seed, acyclic, strictMode) =>
        compareWorld(seed, { acyclic, andNot: acyclic }, strictMode, tally, 'async memory'),
      ),
      runs(15),
    );
  });

  it('the in-memory tuple index gives the same answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), fc.boolean(), (seed, acyclic, strictMode) =>
        compareWorld(seed, { acyclic, andNot: acyclic }, strictMode, tally, 'tuple index'),
      ),
      runs(30),
    );
  });

  it('compared a substantial number of triples', () => {
    console.log(`engine vs oracle: ${tally.triples} triples compared over ${tally.worlds} worlds (${tally.skipped} unstratifiable worlds skipped)`);
    assert.ok(tally.triples > 10_000);
  });
});
