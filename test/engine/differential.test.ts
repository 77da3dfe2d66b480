import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSubject } from '../../src/api/tuple-string.js';
import { GatehouseError } from '../../src/errors.js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { limitReason, MEMBER } from '../../src/engine/outcome.js';
import { currentReads, type TupleSource } from '../../src/reader.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import type { RelationTuple } from '../../src/tuple.js';
import { migratedStore, SQL_DIALECTS } from '../store/databases.js';
import { snapshot } from './hand-models.js';
import { randomWorld, type RandomWorld, type RandomWorldOptions } from './random-models.js';

/**
 * The whole outcome of every check (answer, the limit that left it unknown, or the error,
 * call-budget included) read from the in-memory index against the same check read from
 * each SQL dialect's store, on random worlds, in both modes, at small and default limits:
 * the limits are where evaluation order and reads matter most. `GATEHOUSE_DIFFERENTIAL_WORLDS`
 * and `GATEHOUSE_DIFFERENTIAL_STRIDE` (1: every question) widen it; the defaults keep `npm test` short.
 */
const WORLDS = Number(process.env.GATEHOUSE_DIFFERENTIAL_WORLDS ?? 2);
const SEED = Number(process.env.GATEHOUSE_PROPERTY_SEED ?? 20_261_204);
const DEPTHS = [1, 2, 3, 5];
/** Every STRIDE-th question of a world is asked, under every mode and limit (the whole set takes minutes on a database). */
const STRIDE = Number(process.env.GATEHOUSE_DIFFERENTIAL_STRIDE ?? 3);
const WIDTHS = [1, 2, 100];

const worlds: { options: RandomWorldOptions; world: RandomWorld }[] = Array.from({ length: WORLDS }, (_, i) => {
  const options = { acyclic: i % 2 === 1, andNot: i % 3 !== 2 };
  return { options, world: randomWorld(SEED + i, options) };
});

/** Every outcome of a world under every mode and limit, one line per check, in one fixed order. */
async function outcomes(world: RandomWorld, source: TupleSource): Promise<string[]> {
  const model = snapshot(world.namespaces);
  const lines: string[] = [];
  const questions = world.namespaces.flatMap((ns) =>
    (world.objects.get(ns.name) ?? []).flatMap((object) => ns.relations.flatMap((rel) => world.subjects.map((subject) => ({ namespace: ns.name, object, relation: rel.name, subject })))),
  );
  for (const strictMode of [false, true]) {
    for (const maxReadDepth of DEPTHS) {
      for (const maxReadWidth of WIDTHS) {
        const engine = new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => ({ maxReadDepth, maxReadWidth, strictMode }) });
        for (let i = 0; i < questions.length; i += STRIDE) {
          const q = questions[i]!;
          const where = `strict=${strictMode} depth=${maxReadDepth} width=${maxReadWidth} ${q.namespace}:${q.object}#${q.relation}@${formatSubject(q.subject)}`;
          lines.push(`${where} → ${await outcomeOf(engine, q)}`);
        }
      }
    }
  }
  return lines;
}

async function outcomeOf(engine: CheckEngine, tuple: RelationTuple): Promise<string> {
  try {
    const outcome = await engine.evaluate(tuple, undefined);
    return outcome === MEMBER ? 'allowed' : (limitReason(outcome) ?? 'denied');
  } catch (err) {
    if (err instanceof GatehouseError) return `${err.kind}: ${err.message} ${err.reason ?? ''}`;
    throw err;
  }
}

function indexOf(tuples: readonly RelationTuple[]): TupleIndex {
  const index = new TupleIndex();
  for (const t of tuples) index.insert(t);
  return index;
}

for (const dialect of SQL_DIALECTS) {
  describe(`check outcomes, in-memory index versus the ${dialect.name} store`, { skip: dialect.skip }, () => {
    const storeOf = migratedStore(dialect);

    it(`agree on every check of ${WORLDS} random worlds, strict and not, depth ${DEPTHS.join('/')} × width ${WIDTHS.join('/')}`, async () => {
      let compared = 0;
      let limited = 0;
      const store = storeOf();
      for (const [i, { options, world }] of worlds.entries()) {
        for (const ns of world.namespaces) await store.deleteMatching({ namespace: ns.name });
        await store.deleteMatching({ namespace: 'U' });
        await store.transact(world.tuples, []);
        const expected = await outcomes(world, indexOf(world.tuples));
        const actual = await outcomes(world, store);
        assert.deepEqual(actual, expected, `world ${SEED + i} ${JSON.stringify(options)}`);
        compared += expected.length;
        limited += expected.filter((line) => line.endsWith('_exceeded')).length;
      }
      // The limits must actually be reached for the comparison to say anything about them.
      assert.ok(limited > 0, 'no check reached a limit');
      console.log(`differential: ${compared} outcomes compared, ${limited} of them limited`);
    });
  });
}
