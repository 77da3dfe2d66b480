import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockArena } from '../../src/index/block-arena.js';

function contents(arena: BlockArena, block: number): { values: number[]; keys: number[] } {
  const start = arena.start(block);
  const end = start + arena.length(block);
  return {
    values: Array.from(arena.values.subarray(start, end)),
    keys: arena.keys ? Array.from(arena.keys.subarray(start, end)) : [],
  };
}

describe('BlockArena', () => {
  it('keeps every block exact through growth, removals and its own repacking', () => {
    const arena = new BlockArena(true, 16);
    const model = new Map<number, { values: number[]; keys: number[] }>();
    let seed = 11;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    let repacked = false;
    for (let i = 0; i < 400_000; i++) {
      const block = next(3000);
      const m = model.get(block) ?? { values: [], keys: [] };
      model.set(block, m);
      if (next(4) === 0) {
        const v = next(8);
        const removed = m.values.filter((x) => x === v).length;
        const kept = m.values.map((x, j) => [x, m.keys[j]!] as const).filter(([x]) => x !== v);
        m.values = kept.map(([x]) => x);
        m.keys = kept.map(([, k]) => k);
        assert.equal(arena.removeAll(block, v), removed);
      } else {
        const v = next(8);
        const k = next(100);
        let at = m.keys.length;
        while (at > 0 && m.keys[at - 1]! > k) at--;
        m.values.splice(at, 0, v);
        m.keys.splice(at, 0, k);
        arena.insert(block, v, k);
      }
      const { live, abandoned } = arena.stats();
      if (abandoned < live / 4 && i > 100_000) repacked = true;
    }
    assert.ok(repacked, 'the arena repacked itself at least once');
    for (const [block, m] of model) assert.deepEqual(contents(arena, block), m);
    arena.compact();
    for (const [block, m] of model) assert.deepEqual(contents(arena, block), m);
  });

  it('appends, filters and clears unordered blocks', () => {
    const arena = new BlockArena(false, 4);
    for (let v = 0; v < 10; v++) arena.append(5, v);
    arena.append(2, 42);
    arena.filter(5, (v) => v % 2 === 0);
    assert.deepEqual(contents(arena, 5).values, [0, 2, 4, 6, 8]);
    assert.ok(arena.contains(5, 4));
    assert.ok(!arena.contains(5, 3));
    arena.clear(5);
    assert.equal(arena.length(5), 0);
    assert.deepEqual(contents(arena, 2).values, [42]);
    assert.equal(arena.length(999), 0);
    assert.ok(!arena.contains(999, 0));
  });
});
