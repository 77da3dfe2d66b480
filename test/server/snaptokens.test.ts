/**
 * Snaptokens over the wire, on a running gatehouse per SQL dialect: writes answer a token,
 * reads take one (or latest=true) and answer theirs, over REST and gRPC; a token this
 * database did not issue is a 400 / INVALID_ARGUMENT in Keto's envelope; answers without
 * these parameters keep Keto's bodies.
 */
import assert from 'node:assert/strict';
import grpc from '@grpc/grpc-js';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { type Snaptokens, snaptokensOf } from '../../src/store/snaptoken.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { http1Request } from './clients.js';
import { methodDefinition } from './grpc-clients.js';

const RT = 'ory.keto.relation_tuples.v1alpha2';
const HEADER = 'gatehouse-snaptoken';

/** A unary call that also returns the response metadata. */
function callWithMetadata(address: string, method: string, request: object): Promise<{ response: any; metadata: grpc.Metadata }> {
  const [service, name] = method.split('/') as [string, string];
  const definition = methodDefinition(`/${RT}.${service}/${name}`, `${RT}.${name === 'ListRelationTuples' ? 'ListRelationTuplesRequest' : `${name}Request`}`, `${RT}.${name === 'ListRelationTuples' ? 'ListRelationTuplesResponse' : `${name}Response`}`);
  const Client = grpc.makeGenericClientConstructor({ call: definition }, 'Test');
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    let metadata = new grpc.Metadata();
    const call = (client as any).call(request, (err: grpc.ServiceError | null, response: unknown) => {
      client.close();
      if (err) reject(err);
      else resolve({ response, metadata });
    }) as grpc.ClientUnaryCall;
    call.on('metadata', (m: grpc.Metadata) => (metadata = m));
  });
}

const isGrpcError = (code: grpc.status, pattern: RegExp) => (error: unknown) =>
  (error as grpc.ServiceError).code === code && pattern.test((error as grpc.ServiceError).details);

for (const dialect of SQL_DIALECTS) {
  describe(`snaptokens over REST and gRPC on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let other: TestDatabase;
    let gh: GatehouseProcess;
    let store: RelationTupleStore;
    let otherStore: RelationTupleStore;
    let tokens: Snaptokens;

    before(async () => {
      database = await dialect.database();
      other = await dialect.database();
      gh = await startGatehouseProcess({ config: { dsn: database.dsn, namespaces: [{ id: 0, name: 'files' }, { id: 1, name: 'groups' }] }, args: ['--migrate'] });
      store = await openStore(database.dsn);
      otherStore = await openStore(other.dsn);
      await otherStore.migrations.up();
      tokens = await snaptokensOf(store)();
    });
    after(async () => {
      await gh?.stop();
      await store?.close();
      await otherStore?.close();
      await database?.drop();
      await other?.drop();
    });

    const read = (path: string) => http1Request(`${gh.url.read}${path}`);
    const write = (method: string, path: string, body?: unknown) =>
      http1Request(`${gh.url.write}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const revisionOf = (token: string | string[] | undefined) => tokens.read(String(token)).revision;
    const check = 'namespace=files&object=readme&relation=viewer&subject_id=alice';

    test('writes answer their revision; reads with the token see the write and answer theirs', async () => {
      const put = await write('PUT', '/admin/relation-tuples', { namespace: 'files', object: 'readme', relation: 'viewer', subject_id: 'alice' });
      assert.equal(put.status, 201);
      const written = revisionOf(put.headers[HEADER]);
      assert.equal(written, await store.headRevision());

      for (const path of ['/relation-tuples/check', '/relation-tuples/check/openapi']) {
        const answer = await read(`${path}?${check}&snaptoken=${encodeURIComponent(String(put.headers[HEADER]))}`);
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(JSON.parse(answer.body), { allowed: true });
        assert.ok(revisionOf(answer.headers[HEADER]) >= written);
      }
      const posted = await http1Request(`${gh.url.read}/relation-tuples/check?snaptoken=${encodeURIComponent(String(put.headers[HEADER]))}`, {
        method: 'POST',
        body: JSON.stringify({ namespace: 'files', object: 'readme', relation: 'viewer', subject_id: 'alice' }),
      });
      assert.equal(posted.status, 200);
      assert.ok(revisionOf(posted.headers[HEADER]) >= written);
      const batch = await http1Request(`${gh.url.read}/relation-tuples/batch/check?latest=true`, {
        method: 'POST',
        body: JSON.stringify({ tuples: [{ namespace: 'files', object: 'readme', relation: 'viewer', subject_id: 'alice' }] }),
      });
      assert.deepEqual(JSON.parse(batch.body), { results: [{ allowed: true }] });
      assert.ok(revisionOf(batch.headers[HEADER]) >= written);

      const patch = await write('PATCH', '/admin/relation-tuples', [
        { action: 'insert', relation_tuple: { namespace: 'groups', object: 'dev', relation: 'member', subject_id: 'bob' } },
        { action: 'insert', relation_tuple: { namespace: 'files', object: 'readme', relation: 'viewer', subject_set: { namespace: 'groups', object: 'dev', relation: 'member' } } },
      ]);
      assert.equal(patch.status, 204);
      const patched = revisionOf(patch.headers[HEADER]);
      assert.equal(patched, written + 1);
      const token = encodeURIComponent(String(patch.headers[HEADER]));
      const expand = await read(`/relation-tuples/expand?namespace=files&object=readme&relation=viewer&snaptoken=${token}`);
      assert.equal(expand.status, 200);
      assert.ok(revisionOf(expand.headers[HEADER]) >= patched);
      assert.equal((JSON.parse(expand.body) as { children: unknown[] }).children.length, 2);
      const list = await read(`/relation-tuples?namespace=files&snaptoken=${token}`);
      assert.equal((JSON.parse(list.body) as { relation_tuples: unknown[] }).relation_tuples.length, 2);
      assert.ok(revisionOf(list.headers[HEADER]) >= patched);

      const deleted = await write('DELETE', '/admin/relation-tuples?namespace=files&object=readme&relation=viewer&subject_id=alice');
      assert.equal(deleted.status, 204);
      assert.equal(revisionOf(deleted.headers[HEADER]), patched + 1);
      const denied = await read(`/relation-tuples/check?${check}&snaptoken=${encodeURIComponent(String(deleted.headers[HEADER]))}`);
      assert.equal(denied.status, 403);
      assert.deepEqual(JSON.parse(denied.body), { allowed: false });
    });

    test("without snaptoken or latest, Keto's answers are unchanged (the token header aside)", async () => {
      const answer = await read(`/relation-tuples/check?namespace=files&object=readme&relation=viewer&subject_id=bob`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body, '{"allowed":true}');
      assert.equal(typeof answer.headers[HEADER], 'string');
      const latest = await read(`/relation-tuples/check/openapi?namespace=files&object=readme&relation=viewer&subject_id=bob&latest=true`);
      assert.equal(latest.body, '{"allowed":true}');
      assert.equal(revisionOf(latest.headers[HEADER]), await store.headRevision());
    });

    test("a forged, bit-flipped or foreign token, or a bad latest, is a 400 in Keto's envelope", async () => {
      const good = tokens.issue(1);
      const flipped = `${good.slice(0, 5)}${good[5] === 'A' ? 'B' : 'A'}${good.slice(6)}`;
      const foreign = (await snaptokensOf(otherStore)()).issue(1);
      for (const [token, message] of [
        [flipped, /snaptoken is invalid/],
        ['not-a-token', /snaptoken is invalid/],
        [foreign, /snaptoken is invalid/],
      ] as const) {
        for (const path of [`/relation-tuples/check?${check}`, '/relation-tuples/expand?namespace=files&object=readme&relation=viewer', '/relation-tuples?namespace=files']) {
          const answer = await read(`${path}&snaptoken=${encodeURIComponent(token)}`);
          assert.equal(answer.status, 400, `${path} ${answer.body}`);
          const { error } = JSON.parse(answer.body) as { error: { code: number; status: string; message: string } };
          assert.equal(error.code, 400);
          assert.equal(error.status, 'Bad Request');
          assert.match(error.message, message);
          assert.equal(answer.headers[HEADER], undefined);
        }
      }
      const bad = await read(`/relation-tuples/check?${check}&latest=maybe`);
      assert.equal(bad.status, 400);
      assert.match((JSON.parse(bad.body) as { error: { message: string } }).error.message, /latest/);
    });

    test('gRPC: CheckResponse.snaptoken, BatchCheck results, transaction tokens per delta, metadata on every call', async () => {
      const tuple = { namespace: 'files', object: 'grpc', relation: 'viewer', subject: { id: 'carol' } };
      const transact = await callWithMetadata(gh.grpc.write, 'WriteService/TransactRelationTuples', {
        relationTupleDeltas: [
          { action: 'ACTION_INSERT', relationTuple: tuple },
          { action: 'ACTION_DELETE', relationTuple: { ...tuple, subject: { id: 'nobody' } } },
        ],
      });
      const written = transact.response.snaptokens as string[];
      assert.equal(written.length, 2);
      assert.equal(written[0], written[1]);
      assert.equal(transact.metadata.get(HEADER)[0], written[0]);
      const revision = revisionOf(written[0]);
      assert.equal(revision, await store.headRevision());

      const checked = await callWithMetadata(gh.grpc.read, 'CheckService/Check', { tuple, snaptoken: written[0] });
      assert.equal(checked.response.allowed, true);
      assert.ok(revisionOf(checked.response.snaptoken) >= revision);
      assert.equal(checked.metadata.get(HEADER)[0], checked.response.snaptoken);
      const batch = await callWithMetadata(gh.grpc.read, 'CheckService/BatchCheck', { tuples: [tuple], latest: true });
      assert.equal(batch.response.results[0].allowed, true);
      assert.ok(revisionOf(batch.response.results[0].snaptoken) >= revision);
      const expand = await callWithMetadata(gh.grpc.read, 'ExpandService/Expand', {
        subject: { set: { namespace: 'files', object: 'grpc', relation: 'viewer' } },
        snaptoken: written[0],
      });
      assert.ok(revisionOf(expand.metadata.get(HEADER)[0] as string) >= revision);
      const list = await callWithMetadata(gh.grpc.read, 'ReadService/ListRelationTuples', { relationQuery: { namespace: 'files', object: 'grpc' }, snaptoken: written[0] });
      assert.equal(list.response.relationTuples.length, 1);
      assert.ok(revisionOf(list.metadata.get(HEADER)[0] as string) >= revision);
      const removed = await callWithMetadata(gh.grpc.write, 'WriteService/DeleteRelationTuples', { relationQuery: { namespace: 'files', object: 'grpc' } });
      assert.equal(revisionOf(removed.metadata.get(HEADER)[0] as string), revision + 1);

      await assert.rejects(callWithMetadata(gh.grpc.read, 'CheckService/Check', { tuple, snaptoken: 'forged' }), isGrpcError(grpc.status.INVALID_ARGUMENT, /snaptoken is invalid/));
    });
  });
}
