import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseTupleString } from '../../src/api/tuple-string.js';
import { compileOpl } from '../../src/opl/compile.js';
import { modelOf } from '../support/conformance.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { http1Request } from '../server/clients.js';
import { unaryCall } from '../server/grpc-clients.js';
import { startPermissionServers, type PermissionServers } from './permission-servers.js';

/** Check, BatchCheck and Expand over real REST and gRPC, answers and error mapping as Keto gives them. */
const OPL = `
class User implements Namespace {}
class Group implements Namespace { related: { members: (User | SubjectSet<Group, "members">)[] } }
class Doc implements Namespace {
  related: { viewers: (User | SubjectSet<Group, "members">)[] }
  permits = { view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) }
}`;
const TUPLES = [
  'Doc:d#viewers@Group:g#members',
  'Group:g#members@User:ann',
  'Group:g#members@Group:h#members',
  'Group:h#members@Group:i#members',
  'Group:i#members@User:deep',
].map(parseTupleString);

const model = modelOf(compileOpl(OPL).namespaces);
const RT = 'ory.keto.relation_tuples.v1alpha2';
const query = (t: Record<string, string>) => new URLSearchParams(t).toString();
const docView = (user: string, extra: Record<string, string> = {}) =>
  query({ namespace: 'Doc', object: 'd', relation: 'view', 'subject_set.namespace': 'User', 'subject_set.object': user, 'subject_set.relation': '', ...extra });
/** The body, without the per-request id the envelope of an error carries. */
const json = (body: string) => {
  const parsed = JSON.parse(body) as { error?: { request?: string } };
  delete parsed.error?.request;
  return parsed as unknown;
};
const userSet = (object: string) => ({ set: { namespace: 'User', object, relation: '' } });
const grpcCheck = (address: string, request: object) => unaryCall(address, `/${RT}.CheckService/Check`, `${RT}.CheckRequest`, `${RT}.CheckResponse`, request);
const grpcBatch = (address: string, request: object) =>
  unaryCall(address, `/${RT}.CheckService/BatchCheck`, `${RT}.BatchCheckRequest`, `${RT}.BatchCheckResponse`, request);
const grpcExpand = (address: string, request: object) => unaryCall(address, `/${RT}.ExpandService/Expand`, `${RT}.ExpandRequest`, `${RT}.ExpandResponse`, request);
const grpcCode = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (err) {
    return { code: (err as { code: number }).code, details: (err as { details: string }).details };
  }
  return undefined;
};
const badRelation = {
  error: { code: 400, status: 'Bad Request', message: 'The request was malformed or contained invalid parameters', reason: 'relation "nope" does not exist' },
};

describe('check and expand over REST and gRPC (non-strict)', () => {
  let s: PermissionServers;
  before(async () => {
    s = await startPermissionServers(new MemoryTupleSource(TUPLES), model);
  });
  after(() => s.stop());

  it('REST check mirrors the answer in the status; the openapi route always answers 200', async () => {
    let r = await http1Request(`${s.rest}/relation-tuples/check?${docView('ann')}`);
    assert.deepEqual([r.status, json(r.body)], [200, { allowed: true }]);
    r = await http1Request(`${s.rest}/relation-tuples/check?${docView('bob')}`);
    assert.deepEqual([r.status, json(r.body)], [403, { allowed: false }]);
    r = await http1Request(`${s.rest}/relation-tuples/check/openapi?${docView('bob')}`);
    assert.deepEqual([r.status, json(r.body)], [200, { allowed: false }]);
    r = await http1Request(`${s.rest}/relation-tuples/check?${docView('deep', { 'max-depth': '2' })}`);
    assert.deepEqual([r.status, json(r.body)], [403, { allowed: false }]);
    r = await http1Request(`${s.rest}/relation-tuples/check?${docView('deep')}`);
    assert.deepEqual([r.status, json(r.body)], [200, { allowed: true }]);
  });

  it('REST check: unknown namespace is not allowed, an undeclared relation is a 400, a bad max-depth too', async () => {
    let r = await http1Request(`${s.rest}/relation-tuples/check?${query({ namespace: 'Nope', object: 'd', relation: 'view', subject_id: 'x' })}`);
    assert.deepEqual([r.status, json(r.body)], [403, { allowed: false }]);
    r = await http1Request(`${s.rest}/relation-tuples/check?${query({ namespace: 'Doc', object: 'd', relation: 'view', 'subject_set.namespace': 'Nope', 'subject_set.object': 'x', 'subject_set.relation': '' })}`);
    assert.deepEqual([r.status, json(r.body)], [403, { allowed: false }]);
    r = await http1Request(`${s.rest}/relation-tuples/check?${query({ namespace: 'Doc', object: 'd', relation: 'nope', subject_id: 'x' })}`);
    assert.deepEqual([r.status, json(r.body)], [400, badRelation]);
    r = await http1Request(`${s.rest}/relation-tuples/check/openapi?${docView('ann', { 'max-depth': 'foo' })}`);
    assert.equal(r.status, 400);
    assert.match(r.body, /invalid syntax/);
  });

  it('REST POST check reads the tuple from the body', async () => {
    const post = (path: string, body: string) => http1Request(`${s.rest}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    let r = await post('/relation-tuples/check', JSON.stringify({ namespace: 'Doc', object: 'd', relation: 'view', subject_set: { namespace: 'User', object: 'ann', relation: '' } }));
    assert.deepEqual([r.status, json(r.body)], [200, { allowed: true }]);
    r = await post('/relation-tuples/check/openapi', JSON.stringify({ namespace: 'Doc', object: 'd', relation: 'view', subject_id: 'ann' }));
    assert.deepEqual([r.status, json(r.body)], [200, { allowed: false }]);
    r = await post('/relation-tuples/check', JSON.stringify({ namespace: 'Nope', object: 'd', relation: 'view' }));
    assert.deepEqual([r.status, json(r.body)], [403, { allowed: false }]);
    r = await post('/relation-tuples/check', JSON.stringify({ namespace: 'Doc', object: 'd', relation: 'view' }));
    assert.equal(r.status, 400);
    assert.equal((json(r.body) as { error: { message: string } }).error.message, 'subject is not allowed to be nil');
    r = await post('/relation-tuples/check', '{not json');
    assert.equal(r.status, 400);
    assert.match(r.body, /could not unmarshal json/);
  });

  it('REST batch check: one result per tuple, errors in the result, the size limit as a 400', async () => {
    const tuple = (ns: string, user: string) => ({ namespace: ns, object: 'd', relation: 'view', subject_set: { namespace: 'User', object: user, relation: '' } });
    const post = (tuples: unknown[]) =>
      http1Request(`${s.rest}/relation-tuples/batch/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tuples }) });
    let r = await post([tuple('Doc', 'ann'), tuple('Doc', 'bob'), tuple('Nope', 'ann'), { namespace: 'Doc', object: 'd', relation: 'nope', subject_id: 'x' }, { namespace: 'Doc', object: 'd', relation: 'view' }]);
    assert.equal(r.status, 200);
    assert.deepEqual(json(r.body), {
      results: [
        { allowed: true },
        { allowed: false },
        { allowed: false, error: 'The requested resource could not be found' },
        { allowed: false, error: 'The request was malformed or contained invalid parameters' },
        { allowed: false, error: 'subject is not allowed to be nil' },
      ],
    });
    r = await post(Array.from({ length: 11 }, () => tuple('Doc', 'ann')));
    assert.equal(r.status, 400);
    assert.equal((json(r.body) as { error: { message: string } }).error.message, 'batch exceeds max size of 10');
  });

  it('REST expand: Keto\'s tree JSON, 404 for an unknown namespace', async () => {
    let r = await http1Request(`${s.rest}/relation-tuples/expand?${query({ namespace: 'Group', object: 'h', relation: 'members', 'max-depth': '3' })}`);
    assert.equal(r.status, 200);
    const subjectSet = (namespace: string, object: string, relation: string) => ({ namespace: '', object: '', relation: '', subject_set: { namespace, object, relation } });
    assert.deepEqual(json(r.body), {
      type: 'union',
      tuple: subjectSet('Group', 'h', 'members'),
      children: [{ type: 'union', tuple: subjectSet('Group', 'i', 'members'), children: [{ type: 'leaf', tuple: subjectSet('User', 'deep', '') }] }],
    });
    r = await http1Request(`${s.rest}/relation-tuples/expand?${query({ namespace: 'Nope', object: 'h', relation: 'members' })}`);
    assert.equal(r.status, 404);
  });

  it('gRPC Check: allowed, deprecated fields, unknown namespace NOT_FOUND, undeclared relation INVALID_ARGUMENT', async () => {
    const tuple = { namespace: 'Doc', object: 'd', relation: 'view', subject: userSet('ann') };
    assert.deepEqual(await grpcCheck(s.grpc, { tuple }), { allowed: true, snaptoken: 'not yet implemented' });
    assert.deepEqual(await grpcCheck(s.grpc, { ...tuple, subject: userSet('bob') }), { allowed: false, snaptoken: 'not yet implemented' });
    assert.deepEqual(await grpcCheck(s.grpc, tuple), { allowed: true, snaptoken: 'not yet implemented' });
    assert.equal((await grpcCode(grpcCheck(s.grpc, { tuple: { ...tuple, namespace: 'Nope' } })))?.code, 5);
    assert.equal((await grpcCode(grpcCheck(s.grpc, { tuple: { ...tuple, relation: 'nope' } })))?.code, 3);
  });

  it('gRPC BatchCheck: results in order with error texts, the size limit as INVALID_ARGUMENT', async () => {
    const tuple = (namespace: string, user: string) => ({ namespace, object: 'd', relation: 'view', subject: userSet(user) });
    const response = (await grpcBatch(s.grpc, { tuples: [tuple('Doc', 'ann'), tuple('Doc', 'bob'), tuple('Nope', 'ann')], maxDepth: 5 })) as { results: unknown[] };
    assert.deepEqual(response.results, [
      { allowed: true, error: '', snaptoken: 'not yet implemented' },
      { allowed: false, error: '', snaptoken: 'not yet implemented' },
      { allowed: false, error: 'The requested resource could not be found', snaptoken: 'not yet implemented' },
    ]);
    const over = await grpcCode(grpcBatch(s.grpc, { tuples: Array.from({ length: 11 }, () => tuple('Doc', 'ann')) }));
    assert.deepEqual(over, { code: 3, details: 'batch exceeds max size of 10' });
  });

  it('gRPC Expand: a subject set\'s tree, a subject id as a single leaf, unknown namespace NOT_FOUND', async () => {
    const tree = (await grpcExpand(s.grpc, { subject: { set: { namespace: 'Group', object: 'i', relation: 'members' } }, maxDepth: 3 })) as { tree: { nodeType: string; children: { nodeType: string; tuple: { subject: unknown } }[] } };
    assert.equal(tree.tree.nodeType, 'NODE_TYPE_UNION');
    assert.deepEqual(tree.tree.children.map((c) => [c.nodeType, c.tuple.subject]), [['NODE_TYPE_LEAF', { ...userSet('deep'), ref: 'set' }]]);
    const leaf = (await grpcExpand(s.grpc, { subject: { id: 'x' } })) as { tree: { nodeType: string; subject: unknown } };
    assert.equal(leaf.tree.nodeType, 'NODE_TYPE_LEAF');
    assert.deepEqual(leaf.tree.subject, { id: 'x', ref: 'id' });
    assert.equal((await grpcCode(grpcExpand(s.grpc, { subject: { set: { namespace: 'Nope', object: 'i', relation: 'members' } } })))?.code, 5);
  });
});

describe('check over REST and gRPC in strict mode', () => {
  let s: PermissionServers;
  before(async () => {
    s = await startPermissionServers(new MemoryTupleSource(TUPLES), model, { FEATURE_FLAGS_STRICT_MODE: 'true' });
  });
  after(() => s.stop());

  it('a depth limit hit is a 422 / FAILED_PRECONDITION with the reason, and a batch result\'s error', async () => {
    const r = await http1Request(`${s.rest}/relation-tuples/check?${docView('deep', { 'max-depth': '2' })}`);
    assert.deepEqual([r.status, json(r.body)], [
      422,
      { error: { code: 422, status: 'Unprocessable Entity', message: 'The check could not be completed', reason: 'max_depth_exceeded' } },
    ]);
    const tuple = { namespace: 'Doc', object: 'd', relation: 'view', subject: userSet('deep') };
    assert.equal((await grpcCode(grpcCheck(s.grpc, { tuple, maxDepth: 2 })))?.code, 9);
    const batch = (await grpcBatch(s.grpc, { tuples: [tuple], maxDepth: 2 })) as { results: { error: string }[] };
    assert.equal(batch.results[0]?.error, 'max_depth_exceeded');
  });
});
