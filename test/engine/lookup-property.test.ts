import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSubject } from '../../src/api/tuple-string.js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { everyPage, LookupEngine } from '../../src/engine/lookup-engine.js';
import { currentReads } from '../../src/reader.js';
import { compareBinary, type RelationTuple, type Subject } from '../../src/tuple.js';
import { type SourceKind, sourceOf } from '../support/memory-source.js';
import { snapshot } from './hand-models.js';
import { randomWorld, type RandomWorld } from './random-models.js';

/**
 * List objects and list subjects against their definition, on random worlds: exactly the
 * objects (subjects) of the kind occurring in stored tuples for which the check allows, for
 * every (relation, subject) and (object, relation), in both modes, at the default limits and
 * at small ones, over a synchronous source, an asynchronous one (as a database) and the index.
 */
const WORLDS = Number(process.env.GATEHOUSE_LOOKUP_WORLDS ?? 6);
const SEED = Number(process.env.GATEHOUSE_PROPERTY_SEED ?? 20_261_204);
const PAGE_SIZE = 3;



async function allows(checks: CheckEngine, tuple: RelationTuple): Promise<boolean> {
  try {
    return await checks.check(tuple);
  } catch {
    return false;
  }
}

async function compareWorld(world: RandomWorld, kind: SourceKind, strictMode: boolean, limits: { maxReadDepth: number; maxReadWidth: number }): Promise<number> {
  const model = snapshot(world.namespaces);
  const reads = currentReads(sourceOf(kind, world.tuples));
  const checks = new CheckEngine({ reads, model: () => model, settings: () => ({ ...limits, strictMode }) });
  const lookups = new LookupEngine({ reads, model: () => model, checks });
  const where = `strict=${strictMode} ${JSON.stringify(limits)} ${kind}`;
  let compared = 0;
  const objectsOf = (namespace: string) =>
    [...new Set(world.tuples.flatMap((t) => [...(t.namespace === namespace ? [t.object] : []), ...('set' in t.subject && t.subject.set.namespace === namespace ? [t.subject.set.object] : [])]))].sort(compareBinary);
  const storedSubjects = [...new Map(world.tuples.map((t) => [formatSubject(t.subject), t.subject])).values()];
  for (const ns of world.namespaces) {
    for (const rel of ns.relations) {
      for (const subject of world.subjects) {
        const expected: string[] = [];
        for (const object of objectsOf(ns.name)) if (await allows(checks, { namespace: ns.name, object, relation: rel.name, subject })) expected.push(object);
        const listed = await everyPage((after) => lookups.listObjects({ namespace: ns.name, relation: rel.name, subject, pageSize: PAGE_SIZE, ...(after === undefined ? {} : { after }) }));
        assert.deepEqual(listed, expected, `${where}: list objects ${ns.name}#${rel.name}@${formatSubject(subject)}`);
        compared++;
      }
      for (const object of objectsOf(ns.name)) {
        const kinds: ({ namespace: string; relation: string } | undefined)[] = [undefined, { namespace: 'U', relation: '' }];
        for (const setKind of kinds) {
          const candidates = storedSubjects.filter((s: Subject) => (setKind === undefined ? 'id' in s : 'set' in s && s.set.namespace === setKind.namespace && s.set.relation === setKind.relation));
          const expected: string[] = [];
          for (const subject of candidates) if (await allows(checks, { namespace: ns.name, object, relation: rel.name, subject })) expected.push(formatSubject(subject));
          const listed = await everyPage((after) =>
            lookups.listSubjects({ namespace: ns.name, object, relation: rel.name, pageSize: PAGE_SIZE, ...(setKind === undefined ? {} : { kind: setKind }), ...(after === undefined ? {} : { after }) }),
          );
          assert.deepEqual(listed.map(formatSubject), expected.sort((a, b) => compareBinary(a.replace(/^U:/, ''), b.replace(/^U:/, ''))), `${where}: list subjects ${ns.name}:${object}#${rel.name}`);
          compared++;
        }
      }
    }
  }
  return compared;
}

describe('list objects and list subjects equal the checks they stand for, on random worlds', () => {
  for (const kind of ['memory', 'async memory', 'tuple index'] as const) {
    it(`over the ${kind} source, strict and not, default and small limits`, async () => {
      let compared = 0;
      for (let i = 0; i < WORLDS; i++) {
        const world = randomWorld(SEED + i, { acyclic: i % 2 === 0, andNot: i % 3 !== 2 });
        for (const strictMode of [false, true]) {
          for (const limits of [{ maxReadDepth: 5, maxReadWidth: 100 }, { maxReadDepth: 2, maxReadWidth: 1 }]) {
            compared += await compareWorld(world, kind, strictMode, limits);
          }
        }
      }
      console.log(`lookups (${kind}): ${compared} lists compared with their checks`);
      assert.ok(compared > 1000);
    });
  }
});
