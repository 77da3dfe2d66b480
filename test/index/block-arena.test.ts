import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockArena, type BlockDirectory } from '../../src/index/block-arena.js';

function contents(arena: BlockArena, block: number): number[] {
  const byIndex = Array.from({ length: arena.length(block) }, (_, i) => arena.valueAt(block, i));
  assert.deepEqual(Array.from(arena.list(block)), byIndex);
  return byIndex;
}

describe('BlockArena', () => {
  it('keeps every block exact, in order, through growth, removals and its own repacking', () => {
    const arena = new BlockArena(16);
    const model = new Map<number, number[]>();
    let seed = 11;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let i = 0; i < 400_000; i++) {
      const block = next(3000);
      const m = model.get(block) ?? [];
      const v = next(8);
      if (next(4) === 0) {
        const kept = m.filter((x) => x !== v);
        assert.equal(arena.removeAll(block, v), m.length - kept.length);
        model.set(block, kept);
      } else {
        m.push(v);
        model.set(block, m);
        arena.append(block, v);
      }
      const { live, used } = arena.stats();
      assert.ok(used <= 3 * live + 65536 + 2 * live, 'abandoned room stays bounded');
    }
    assert.ok(arena.stats().compactions > 0, 'the arena repacked itself');
    for (const [block, m] of model) assert.deepEqual(contents(arena, block), m);
    arena.compact();
    for (const [block, m] of model) assert.deepEqual(contents(arena, block), m);
  });

  it('appends, filters and clears blocks', () => {
    const arena = new BlockArena(4);
    for (let v = 0; v < 10; v++) arena.append(5, v);
    arena.append(2, 42);
    arena.filter(5, (v) => v % 2 === 0);
    assert.deepEqual(contents(arena, 5), [0, 2, 4, 6, 8]);
    assert.ok(arena.contains(5, 4));
    assert.ok(!arena.contains(5, 3));
    arena.clear(5);
    assert.equal(arena.length(5), 0);
    assert.deepEqual(contents(arena, 2), [42]);
    assert.equal(arena.length(999), 0);
    assert.ok(!arena.contains(999, 0));
  });

  it('keeps the blocks of arenas that share one directory apart, through growth and repacking', () => {
    const shared: BlockDirectory & { table: Int32Array } = {
      table: new Int32Array(5 * 4),
      stride: 5,
      reserve(rows) {
        if (rows * 5 <= this.table.length) return;
        const table = new Int32Array(5 * rows * 2);
        table.set(this.table);
        this.table = table;
      },
    };
    const arenas = [new BlockArena(4, shared, 1), new BlockArena(4, shared, 3)];
    const models = arenas.map(() => new Map<number, number[]>());
    for (let i = 0; i < 20_000; i++) {
      const a = i % 2;
      const block = (i * 7919) % 300;
      const m = models[a]!.get(block) ?? [];
      if (i % 5 === 0) {
        models[a]!.set(block, m.filter((v) => v !== i % 3));
        arenas[a]!.removeAll(block, i % 3);
      } else {
        m.push(i % 3);
        models[a]!.set(block, m);
        arenas[a]!.append(block, i % 3);
      }
      if (i % 4999 === 0) arenas[a]!.compact();
    }
    for (let row = 0; row < shared.table.length / 5; row++) assert.equal(shared.table[5 * row], 0, 'the column no arena uses stays untouched');
    for (const [a, arena] of arenas.entries()) for (const [block, m] of models[a]!) assert.deepEqual(contents(arena, block), m);
  });
});
