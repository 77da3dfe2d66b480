import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeTable } from '../../src/index/node-table.js';

describe('NodeTable', () => {
  it('finds every node it interned, alone and in pairs, through growth, and no other', () => {
    const table = new NodeTable(1);
    const sets: [string, string, string][] = [];
    const ids: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      sets.push([i % 3 === 0 ? 'Doc' : 'Group', `o${i}`, i % 2 === 0 ? 'member' : 'viewer']);
      ids.push(`o${i}`);
    }
    const setNodes = sets.map(([n, o, r]) => table.internSet(n, o, r));
    const idNodes = ids.map((id) => table.internId(id));
    assert.equal(new Set([...setNodes, ...idNodes]).size, sets.length + ids.length, 'every name has a node of its own');
    assert.equal(table.size, sets.length + ids.length);
    const out = new Int32Array(2);
    for (let i = 0; i < sets.length; i++) {
      const [n, o, r] = sets[i]!;
      assert.equal(table.internSet(n, o, r), setNodes[i], 'interning again finds the node');
      assert.equal(table.findSet(n, o, r), setNodes[i]);
      assert.equal(table.findId(ids[i]!), idNodes[i]);
      table.findPair(n, o, r, undefined, ids[i]!, '', out);
      assert.deepEqual([...out], [setNodes[i], idNodes[i]]);
      const [sn, so, sr] = sets[(i * 7919) % sets.length]!;
      table.findPair(n, o, r, sn, so, sr, out);
      assert.deepEqual([...out], [setNodes[i], setNodes[(i * 7919) % sets.length]]);
      // Names that share parts with stored ones, and an id spelled like a set's object.
      assert.equal(table.findSet(n, o, r === 'member' ? 'viewer' : 'member'), -1);
      assert.equal(table.findSet(n === 'Doc' ? 'Group' : 'Doc', o, r), -1);
      table.findPair(n, `${o}x`, r, undefined, `${ids[i]}x`, '', out);
      assert.deepEqual([...out], [-1, -1]);
    }
    assert.equal(table.findSet('Doc', '', 'member'), -1);
    assert.equal(table.findId(''), -1);
  });
});
