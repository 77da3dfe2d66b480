import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { expandTreeDeeperThan, expandTreeToKeto, expandTreeToKetoJson } from '../../src/api/expand-tree.js';
import { expandNode, type ExpandTree } from '../../src/engine/expand-tree.js';
import { MAX_GRPC_EXPAND_TREE_DEPTH } from '../../src/transport/grpc/expand.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { unaryCall } from './grpc-clients.js';

/** Expand trees as deep as limit.max_read_depth allows (65535): answered, or refused naming the limit. */

const RT = 'ory.keto.relation_tuples.v1alpha2';
/** g:0#m ⊇ g:1#m ⊇ … ⊇ g:CHAIN#m ∋ alice. */
const CHAIN = 3000;

/** Levels below the root, counted along first children (a chain has one child per node). */
function depthOf(tree: { children?: unknown[] }): number {
  let depth = 0;
  for (let node = tree; node.children !== undefined && node.children.length > 0; node = node.children[0] as typeof tree) depth++;
  return depth;
}

describe('deep expand trees', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'g' }], limit: { max_read_depth: 65535 }, log: { level: 'warn' } } });
    const deltas = Array.from({ length: CHAIN }, (_, i) => ({
      action: 'insert',
      relation_tuple: { namespace: 'g', object: String(i), relation: 'm', subject_set: { namespace: 'g', object: String(i + 1), relation: 'm' } },
    }));
    deltas.push({ action: 'insert', relation_tuple: { namespace: 'g', object: String(CHAIN), relation: 'm', subject_id: 'alice' } as never });
    const patched = await fetch(`${gh.url.write}/admin/relation-tuples`, { method: 'PATCH', body: JSON.stringify(deltas) });
    assert.equal(patched.status, 204);
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });
  const errorLines = () => gh.logs.filter((l) => (l as { level?: string }).level === 'error');
  const expand = (maxDepth?: number) =>
    unaryCall(gh.grpc.read, `/${RT}.ExpandService/Expand`, `${RT}.ExpandRequest`, `${RT}.ExpandResponse`, {
      subject: { set: { namespace: 'g', object: '0', relation: 'm' } },
      ...(maxDepth !== undefined && { maxDepth }),
    });

  test(`REST answers the whole ${CHAIN}-level tree`, async () => {
    const res = await fetch(`${gh.url.read}/relation-tuples/expand?namespace=g&object=0&relation=m`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const tree = (await res.json()) as { type: string; children?: unknown[]; tuple: unknown };
    assert.equal(depthOf(tree), CHAIN + 1);
    assert.deepEqual(Object.keys(tree), ['type', 'children', 'tuple']);
    assert.deepEqual(errorLines(), []);
  });

  test(`gRPC answers trees of up to ${MAX_GRPC_EXPAND_TREE_DEPTH} levels and refuses deeper ones naming the limit`, async () => {
    const deepest = await expand(MAX_GRPC_EXPAND_TREE_DEPTH + 1);
    assert.equal(depthOf(deepest.tree), MAX_GRPC_EXPAND_TREE_DEPTH);
    const message = `the expand tree is deeper than the ${MAX_GRPC_EXPAND_TREE_DEPTH} levels a gRPC answer can carry (protobuf nests messages 100 deep at most): ask with a lower max_depth, or use REST`;
    for (const maxDepth of [MAX_GRPC_EXPAND_TREE_DEPTH + 2, 1000, undefined]) {
      await assert.rejects(expand(maxDepth), { code: grpc.status.RESOURCE_EXHAUSTED, details: message }, `max_depth ${maxDepth}`);
    }
    assert.deepEqual(errorLines(), []);
  });
});

test('the JSON written without recursion is exactly JSON.stringify of the converted tree; depth is measured exactly', () => {
  const type = fc.constantFrom('union', 'exclusion', 'intersection', 'leaf', 'tuple_to_subject_set', 'computed_subject_set', 'not', 'unspecified' as const);
  const text = fc.string({ maxLength: 6, unit: 'binary' });
  const subject = fc.option(
    fc.oneof(fc.record({ id: text }), fc.record({ set: fc.record({ namespace: text, object: text, relation: text }) })),
    { nil: undefined },
  );
  const tree: fc.Arbitrary<ExpandTree> = fc.letrec<{ node: ExpandTree }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'tree' },
      fc.tuple(type, subject).map(([t, s]) => expandNode(t, s)),
      fc.tuple(type, subject, fc.array(tie('node'), { maxLength: 3 })).map(([t, s, children]) => expandNode(t, s, children)),
    ),
  })).node;
  const depth = (t: ExpandTree): number => (t.children.length === 0 ? 0 : 1 + Math.max(...t.children.map(depth)));
  fc.assert(
    fc.property(tree, (t) => {
      assert.equal(expandTreeToKetoJson(t), JSON.stringify(expandTreeToKeto(t)));
      const d = depth(t);
      assert.equal(expandTreeDeeperThan(t, d), false);
      if (d > 0) assert.equal(expandTreeDeeperThan(t, d - 1), true);
    }),
    { numRuns: 300, seed: 42 },
  );
});
