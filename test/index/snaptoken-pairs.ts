import assert from 'node:assert/strict';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { defaultCheckSettings } from '../../src/engine/limits.js';
import { LiveIndex } from '../../src/index/live-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import { snaptokensOf } from '../../src/store/snaptoken.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { snaptokenConsistency } from '../../src/transport/consistency.js';
import type { RelationTuple } from '../../src/tuple.js';

const NAMESPACES = ['Doc', 'Group'];
const model: ModelSnapshot = {
  namespaces: NAMESPACES.map((name) => ({ name, relations: [] })),
  namespace: (name) => (NAMESPACES.includes(name) ? { name, relations: [] } : undefined),
};

/**
 * A live index on each of two store handles of one (migrated) database, B's with a bounded
 * staleness of 60 s; `pairs` writes on A, each followed by a check on B with A's token.
 * Returns how many of B's answers missed the write whose token they were given; `cleanup`
 * receives what is to be closed afterwards.
 */
export async function staleAnswersWithTokens(
  storeA: RelationTupleStore,
  storeB: RelationTupleStore,
  pairs: number,
  cleanup: (() => Promise<void>)[],
): Promise<number> {
  const [a, b] = [storeA, storeB].map(
    (store, i) => new LiveIndex({ store, memoryBudgetBytes: 2 ** 28, maxStalenessMs: i === 0 ? 0 : 60_000 }),
  ) as [LiveIndex, LiveIndex];
  cleanup.push(() => a.close(), () => b.close());
  await Promise.all([a.start(), b.start()]);
  const tokensA = snaptokenConsistency({ readers: a.reads, snaptokens: snaptokensOf(storeA) });
  const tokensB = snaptokenConsistency({ readers: b.reads, snaptokens: snaptokensOf(storeB) });
  const engineB = new CheckEngine({ reads: b.reads, model: () => model, settings: () => defaultCheckSettings });

  // Users 0..9 are viewers of docs 0..4 directly, or through membership of group g (viewers of doc 0 include g's members).
  const direct = (doc: number, user: number): RelationTuple => ({ namespace: 'Doc', object: `d${doc}`, relation: 'viewer', subject: { id: `u${user}` } });
  const member = (user: number): RelationTuple => ({ namespace: 'Group', object: 'g', relation: 'member', subject: { id: `u${user}` } });
  await a.store.transact([{ namespace: 'Doc', object: 'd0', relation: 'viewer', subject: { set: { namespace: 'Group', object: 'g', relation: 'member' } } }], []);
  const stored = new Set<string>();
  const key = (t: RelationTuple) => JSON.stringify(t);
  const allowed = (doc: number, user: number) => stored.has(key(direct(doc, user))) || (doc === 0 && stored.has(key(member(user))));

  let seed = 17;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  let stale = 0;
  let inserts = 0;
  let deletes = 0;
  for (let i = 0; i < pairs; i++) {
    const doc = next(5);
    const user = next(10);
    const t = next(4) === 0 ? member(user) : direct(doc, user);
    const present = stored.has(key(t));
    const revision = present ? await a.store.transact([], [t]) : await a.store.transact([t], []);
    if (present) {
      stored.delete(key(t));
      deletes++;
    } else {
      stored.add(key(t));
      inserts++;
    }
    const token = await tokensA.tokenOf(revision);
    const checked = 'set' in t.subject ? 0 : doc;
    const read = await tokensB.pin({ snaptoken: token });
    assert.equal(read.consistency.kind, 'at-least');
    assert.ok(read.consistency.kind === 'at-least' && read.consistency.revision >= revision);
    const answer = await engineB.check(direct(checked, user), undefined, read.consistency);
    if (answer !== allowed(checked, user)) stale++;
  }
  assert.ok(inserts > pairs / 4 && deletes > pairs / 4, `inserts ${inserts}, deletes ${deletes}`);
  return stale;
}
