import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { type CompiledModel, compileModel } from '../../src/engine/compiled-model.js';
import { MemberProofs } from '../../src/engine/member-proof.js';
import { limitReason, MEMBER } from '../../src/engine/outcome.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import { currentReads, type TupleSource } from '../../src/reader.js';
import type { RelationTuple, Subject } from '../../src/tuple.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { computed, ns, or, permit, related, snapshot, traverse, tuples } from './hand-models.js';
import { prng } from './random-models.js';

/**
 * The upward proof of an allowed check against the evaluator alone: on random nested-group
 * graphs (cycles, duplicate rows, several holders, chains longer than the depth), with
 * inserts and deletes interleaved, at random depths and widths, every check read from the
 * index (where the proof answers what it can) gives the outcome the evaluator gives over a
 * source without the index's reads (where it never runs), and every check the proof
 * answers is one the evaluator allows.
 */
const SEED = Number(process.env.GATEHOUSE_PROPERTY_SEED ?? 20_261_204);

/** Plain relations only, unless a world adds the folder (a rewrite) or an undeclared relation below a group. */
const model = snapshot([
  ns('User'),
  ns('Group', related('member', 'User', 'Group#member', 'Folder#view')),
  ns('Doc', related('viewer', 'User', 'Group#member')),
  ns('Folder', related('parent', 'Folder'), related('viewer', 'Group#member'), permit('view', or(computed('viewer'), traverse('parent', 'view')))),
]);

const member = (group: string) => ({ namespace: 'Group', object: group, relation: 'member' });

/** The index's nodes of a check's key and subject. */
function nodesOf(index: TupleIndex, tuple: RelationTuple): { key: number; subject: number } {
  const out = new Int32Array(2);
  index.checkNodes(tuple, out);
  return { key: out[0]!, subject: out[1]! };
}

/** The outcome as a line: allowed, denied, the limit, or the error. */
async function outcomeOf(engine: CheckEngine, tuple: RelationTuple, depth: number): Promise<string> {
  try {
    const outcome = await engine.evaluate(tuple, depth);
    return outcome === MEMBER ? 'allowed' : (limitReason(outcome) ?? 'denied');
  } catch (err) {
    if (err instanceof GatehouseError) return `${err.kind}: ${err.reason ?? err.message}`;
    throw err;
  }
}

const engineOn = (source: TupleSource, snap: ModelSnapshot, maxReadDepth: number, maxReadWidth: number) =>
  new CheckEngine({ reads: currentReads(source), model: () => snap, settings: () => ({ maxReadDepth, maxReadWidth, strictMode: false }) });

/** The proof's hops as the check engine asks for them: only where the proofs apply. */
function proofHops(proofs: MemberProofs, model: CompiledModel, index: TupleIndex, namespace: string, relation: string, key: number, subject: number, depth: number, width: number): number {
  return proofs.applies(model, index, namespace, relation) ? proofs.hops(index, key, subject, depth, width) : 0;
}

describe('the upward proof of an allowed check', () => {
  it('agrees with the evaluator on random nested groups, with inserts and deletes interleaved', async () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const compiled = compileModel(model);
    let asked = 0;
    let proven = 0;
    let allowed = 0;
    for (let world = 0; world < 60; world++) {
      const groups = Array.from({ length: 3 + int(10) }, (_, i) => `g${i}`);
      const users = ['u0', 'u1', 'u2'];
      const docs = ['d0', 'd1'];
      const impure = world % 5 === 4;
      const randomTuple = (): RelationTuple => {
        const roll = int(20);
        if (roll < 3) return { namespace: 'Doc', object: docs[int(docs.length)]!, relation: 'viewer', subject: { set: member(groups[int(groups.length)]!) } };
        if (roll < 4) return { namespace: 'Doc', object: docs[int(docs.length)]!, relation: 'viewer', subject: { id: users[int(users.length)]! } };
        if (roll < 9) return { ...member(groups[int(groups.length)]!), subject: { id: users[int(users.length)]! } };
        if (impure && roll === 19) {
          return rnd() < 0.5
            ? { ...member(groups[int(groups.length)]!), subject: { set: { namespace: 'Folder', object: 'f', relation: 'view' } } }
            : { ...member(groups[int(groups.length)]!), subject: { set: { namespace: 'Group', object: groups[int(groups.length)]!, relation: 'ghost' } } };
        }
        return { ...member(groups[int(groups.length)]!), subject: { set: member(groups[int(groups.length)]!) } };
      };
      const index = new TupleIndex();
      const plain = new MemoryTupleSource();
      const live: RelationTuple[] = [];
      const apply = (t: RelationTuple, insert: boolean) => {
        if (insert) {
          index.insert(t);
          plain.add(t);
          live.push(t);
        } else {
          index.delete(t);
          plain.delete(t);
        }
      };
      apply({ namespace: 'Folder', object: 'f', relation: 'viewer', subject: { set: member('g0') } }, true);
      for (let i = 0, n = 5 + int(30); i < n; i++) apply(randomTuple(), true);
      for (let round = 0; round < 4; round++) {
        for (let i = 0, n = int(6); i < n; i++) {
          if (live.length > 0 && rnd() < 0.4) apply(live[int(live.length)]!, false);
          else apply(randomTuple(), true);
        }
        if (round === 2) index.compact();
        const maxReadDepth = 1 + int(6);
        const maxReadWidth = [1, 2, 3, 100][int(4)]!;
        const fast = engineOn(index, model, maxReadDepth, maxReadWidth);
        const slow = engineOn(plain, model, maxReadDepth, maxReadWidth);
        const keys = [...docs.map((d) => ({ namespace: 'Doc', object: d, relation: 'viewer' })), ...groups.map(member)];
        const subjects: Subject[] = [...users.map((id) => ({ id })), ...groups.slice(0, 3).map((g) => ({ set: member(g) }))];
        for (const key of keys) {
          for (const subject of subjects) {
            const depth = 1 + int(maxReadDepth + 1);
            const tuple = { ...key, subject };
            const expected = await outcomeOf(slow, tuple, depth);
            const where = `world ${world} round ${round} depth ${depth}/${maxReadDepth} width ${maxReadWidth} ${JSON.stringify(tuple)}`;
            assert.equal(await outcomeOf(fast, tuple, depth), expected, where);
            const nodes = nodesOf(index, tuple);
            const hops = proofHops(new MemberProofs(), compiled, index, key.namespace, key.relation, nodes.key, nodes.subject, Math.min(depth, maxReadDepth), maxReadWidth);
            if (hops > 0) assert.equal(expected, 'allowed', `proven but not allowed: ${where}`);
            asked++;
            if (hops > 0) proven++;
            if (expected === 'allowed') allowed++;
          }
        }
      }
    }
    // The proof must answer a good share of the allowed checks, or this test would prove nothing.
    assert.ok(proven > allowed / 3, `proven ${proven} of ${allowed} allowed (${asked} asked)`);
  });

  const chain = (length: number, extra: string[] = []) =>
    tuples(
      'Doc:d#viewer@Group:g1#member',
      ...Array.from({ length: length - 1 }, (_, i) => `Group:g${i + 1}#member@Group:g${i + 2}#member`),
      `Group:g${length}#member@u`,
      ...extra,
    );

  const question: RelationTuple = { namespace: 'Doc', object: 'd', relation: 'viewer', subject: { id: 'u' } };

  async function both(rows: RelationTuple[], depth: number, width = 100, snap = model): Promise<{ evaluator: string; index: string; hops: number }> {
    const index = new TupleIndex();
    for (const t of rows) index.insert(t);
    const { key, subject } = nodesOf(index, question);
    const hops = proofHops(new MemberProofs(), compileModel(snap), index, 'Doc', 'viewer', key, subject, depth, width);
    return {
      evaluator: await outcomeOf(engineOn(new MemoryTupleSource(rows), snap, depth, width), question, depth),
      index: await outcomeOf(engineOn(index, snap, depth, width), question, depth),
      hops,
    };
  }

  it('proves a chain exactly up to the depth limit, and leaves one beyond it to the evaluator', async () => {
    for (let length = 1; length <= 7; length++) {
      assert.deepEqual(await both(chain(length), length), { evaluator: 'allowed', index: 'allowed', hops: length + 1 }, `${length} groups at depth ${length}`);
      if (length > 1) assert.deepEqual(await both(chain(length), length - 1), { evaluator: 'max_depth_exceeded', index: 'max_depth_exceeded', hops: 0 }, `${length} groups at depth ${length - 1}`);
    }
  });

  it('leaves to the evaluator a node the walk may first enter deeper, through a sibling (Keto’s visited set)', async () => {
    // d → a → x → y → b and d → b: b is entered from y first, one hop short of g.
    const rows = tuples(
      'Doc:d#viewer@Group:a#member',
      'Doc:d#viewer@Group:b#member',
      'Group:a#member@Group:x#member',
      'Group:x#member@Group:y#member',
      'Group:y#member@Group:b#member',
      'Group:b#member@Group:c#member',
      'Group:c#member@Group:g#member',
      'Group:g#member@u',
    );
    assert.deepEqual(await both(rows, 5), { evaluator: 'max_depth_exceeded', index: 'max_depth_exceeded', hops: 0 });
    assert.deepEqual(await both(rows, 6), { evaluator: 'allowed', index: 'allowed', hops: 0 });
  });

  it('proves through the key’s first set whatever else holds it, and through a later set only when the key is entered once', async () => {
    const shared = ['Doc:other#viewer@Group:g1#member'];
    assert.equal((await both(chain(3, shared), 3)).hops, 4);
    const second = [...tuples('Doc:d#viewer@Group:z#member'), ...chain(3, shared)];
    assert.deepEqual(await both(second, 3), { evaluator: 'allowed', index: 'allowed', hops: 0 });
    const alone = [...tuples('Doc:d#viewer@Group:z#member'), ...chain(3)];
    assert.deepEqual(await both(alone, 3), { evaluator: 'allowed', index: 'allowed', hops: 4 });
    assert.deepEqual(await both(alone, 3, 1), { evaluator: 'max_width_exceeded', index: 'max_width_exceeded', hops: 0 });
  });

  it('proves through a later set of the key only when nothing leads back to the key', async () => {
    // z leads back to d, which enters g1 from there with too little depth left; the root then skips g1.
    const cycle = [...tuples('Doc:d#viewer@Group:z#member', 'Group:z#member@Doc:d#viewer'), ...chain(3)];
    assert.deepEqual(await both(cycle, 4), { evaluator: 'max_depth_exceeded', index: 'max_depth_exceeded', hops: 0 });
    assert.deepEqual(await both(cycle, 5), { evaluator: 'allowed', index: 'allowed', hops: 0 });
  });

  it('gives no proof at a depth at which the call budget could run out first', async () => {
    // A plain hop takes two of the budget's steps: at depth 500 the deepest walk stays within it.
    assert.deepEqual(await both(chain(500), 500), { evaluator: 'allowed', index: 'allowed', hops: 501 });
    const budget = await both(chain(501), 501);
    assert.match(budget.evaluator, /^unprocessable/);
    assert.deepEqual(budget, { evaluator: budget.evaluator, index: budget.evaluator, hops: 0 });
    assert.deepEqual(await both(chain(3), 501), { evaluator: 'allowed', index: 'allowed', hops: 0 });
  });

  it('gives no proof below a key from which a rewrite or an undeclared relation can be reached', async () => {
    const folder = chain(3, ['Doc:d#viewer@Folder:f#view', 'Folder:f#viewer@Group:g1#member']);
    assert.equal((await both(folder, 3)).hops, 0);
    const ghost = [...tuples('Group:g1#member@Group:g9#ghost'), ...chain(3)];
    assert.deepEqual(await both(ghost, 3), { evaluator: 'invalid_argument: relation "ghost" does not exist', index: 'invalid_argument: relation "ghost" does not exist', hops: 0 });
  });

  it('follows deletes: a proof is withdrawn with the row it rested on, and given again when the shape allows', async () => {
    const compiled = compileModel(model);
    const index = new TupleIndex();
    for (const t of chain(3)) index.insert(t);
    const hops = (proofs = new MemberProofs()) => {
      const { key, subject } = nodesOf(index, question);
      return proofHops(proofs, compiled, index, 'Doc', 'viewer', key, subject, 3, 100);
    };
    assert.equal(hops(), 4);
    const proofs = new MemberProofs();
    const cached = () => hops(proofs);
    assert.equal(cached(), 4);
    const ghost = { ...member('g3'), subject: { set: { namespace: 'Group', object: 'g9', relation: 'ghost' } } };
    index.insert(ghost);
    assert.equal(cached(), 0, 'an undeclared relation now reachable');
    index.delete(ghost);
    assert.equal(cached(), 4);
    index.delete({ ...member('g1'), subject: { set: member('g2') } });
    assert.equal(hops(), 0);
    index.dropNamespace('Group');
    assert.equal(hops(), 0);
  });
});
