import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { expandTreeToKeto, expandTreeToProto, subjectIdExpandTreeToProto } from '../../src/api/expand-tree.js';
import { expandNode, type ExpandTree } from '../../src/engine/expand-tree.js';
import { loadKetoWire } from './keto-proto-wire.js';

const groupMembers = { set: { namespace: 'Group', object: 'dev', relation: 'members' } };
const alice = { id: 'alice' };
const bob = { set: { namespace: 'User', object: 'bob', relation: '' } };

const EMPTY = '"namespace":"","object":"","relation":""';

describe('expand tree → Keto REST JSON', () => {
  it('writes type, children, tuple in Keto’s key order with the subject in the tuple', () => {
    const tree = expandNode('union', groupMembers, [expandNode('leaf', alice), expandNode('leaf', bob)]);
    assert.equal(
      JSON.stringify(expandTreeToKeto(tree)),
      `{"type":"union","children":[` +
        `{"type":"leaf","tuple":{${EMPTY},"subject_id":"alice"}},` +
        `{"type":"leaf","tuple":{${EMPTY},"subject_set":{"namespace":"User","object":"bob","relation":""}}}],` +
        `"tuple":{${EMPTY},"subject_set":{"namespace":"Group","object":"dev","relation":"members"}}}`,
    );
  });

  it('reports a childless node of any type as a leaf without children', () => {
    for (const type of ['union', 'intersection', 'exclusion', 'not', 'tuple_to_subject_set', 'computed_subject_set', 'unspecified'] as const) {
      assert.equal(
        JSON.stringify(expandTreeToKeto(expandNode(type, groupMembers))),
        `{"type":"leaf","tuple":{${EMPTY},"subject_set":{"namespace":"Group","object":"dev","relation":"members"}}}`,
      );
    }
  });

  it('keeps the newer node types when they have children', () => {
    for (const type of ['exclusion', 'intersection', 'not', 'tuple_to_subject_set', 'computed_subject_set'] as const) {
      const json = expandTreeToKeto(expandNode(type, groupMembers, [expandNode('leaf', alice)]));
      assert.equal(json.type, type);
    }
  });

  it('writes an empty tuple for a node without subject', () => {
    const tree: ExpandTree = { type: 'exclusion', children: [expandNode('intersection', undefined, [expandNode('leaf', alice)])] };
    assert.equal(
      JSON.stringify(expandTreeToKeto(tree)),
      `{"type":"exclusion","children":[{"type":"intersection","children":[{"type":"leaf","tuple":{${EMPTY},"subject_id":"alice"}}],"tuple":{${EMPTY}}}],"tuple":{${EMPTY}}}`,
    );
  });

  it('writes a tuple’s namespace, object and relation when the engine fills them', () => {
    const tree: ExpandTree = { type: 'leaf', tuple: { namespace: 'n', object: 'o', relation: 'r', subject: alice }, children: [] };
    assert.equal(JSON.stringify(expandTreeToKeto(tree)), '{"type":"leaf","tuple":{"namespace":"n","object":"o","relation":"r","subject_id":"alice"}}');
  });
});

describe('expand tree → proto SubjectTree', () => {
  let wire: Awaited<ReturnType<typeof loadKetoWire>>;
  before(async () => {
    wire = await loadKetoWire();
  });
  const tupleOf = (subject: object | null) => ({ namespace: '', object: '', relation: '', subject });

  it('fills tuple and the deprecated subject, children in order', () => {
    const tree = expandNode('union', groupMembers, [expandNode('leaf', alice), expandNode('union', bob)]);
    const aliceProto = { id: 'alice', ref: 'id' };
    const bobProto = { set: { namespace: 'User', object: 'bob', relation: '' }, ref: 'set' };
    const groupProto = { set: groupMembers.set, ref: 'set' };
    assert.deepEqual(wire('SubjectTree', expandTreeToProto(tree)), {
      nodeType: 'NODE_TYPE_UNION',
      subject: groupProto,
      tuple: tupleOf(groupProto),
      children: [
        { nodeType: 'NODE_TYPE_LEAF', subject: aliceProto, tuple: tupleOf(aliceProto), children: [] },
        { nodeType: 'NODE_TYPE_LEAF', subject: bobProto, tuple: tupleOf(bobProto), children: [] },
      ],
    });
  });

  it('maps node types onto the proto enum, childless nodes as leaves', () => {
    const nodeType = (tree: ExpandTree) => wire('SubjectTree', expandTreeToProto(tree)).nodeType;
    const withChild = (type: ExpandTree['type']) => expandNode(type, groupMembers, [expandNode('leaf', alice)]);
    assert.equal(nodeType(withChild('union')), 'NODE_TYPE_UNION');
    assert.equal(nodeType(withChild('exclusion')), 'NODE_TYPE_EXCLUSION');
    assert.equal(nodeType(withChild('intersection')), 'NODE_TYPE_INTERSECTION');
    assert.equal(nodeType(withChild('leaf')), 'NODE_TYPE_LEAF');
    assert.equal(nodeType(withChild('not')), 'NODE_TYPE_UNSPECIFIED');
    assert.equal(nodeType(withChild('tuple_to_subject_set')), 'NODE_TYPE_UNSPECIFIED');
    assert.equal(nodeType(withChild('computed_subject_set')), 'NODE_TYPE_UNSPECIFIED');
    assert.equal(nodeType(withChild('unspecified')), 'NODE_TYPE_UNSPECIFIED');
    assert.equal(nodeType(expandNode('intersection', groupMembers)), 'NODE_TYPE_LEAF');
  });

  it('sends a subject-less node with an empty tuple', () => {
    const tree: ExpandTree = { type: 'exclusion', children: [expandNode('leaf', alice)] };
    const decoded = wire('SubjectTree', expandTreeToProto(tree));
    assert.equal(decoded.subject, null);
    assert.deepEqual(decoded.tuple, tupleOf(null));
  });

  it('answers a subject id with a bare leaf', () => {
    assert.deepEqual(wire('ExpandResponse', { tree: subjectIdExpandTreeToProto('u1') }), {
      tree: { nodeType: 'NODE_TYPE_LEAF', subject: { id: 'u1', ref: 'id' }, tuple: null, children: [] },
    });
  });
});
