/**
 * The relationship routes and gRPC methods behind gatehouse's real listeners, driven by
 * Keto's official clients (@ory/keto-client over REST, @ory/keto-grpc-client over gRPC).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Configuration, RelationshipApi } from '@ory/keto-client';
import { watchConfig } from '../../src/config/live.js';
import type { LiveConfig } from '../../src/config/types.js';
import { createSnapshot } from '../../src/namespaces/snapshot.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { namespacesMethods } from '../../src/transport/grpc/namespaces.js';
import { readMethods } from '../../src/transport/grpc/read.js';
import { writeMethods } from '../../src/transport/grpc/write.js';
import { namespaceRoutes } from '../../src/transport/rest/namespaces.js';
import { relationTupleRoutes } from '../../src/transport/rest/relation-tuples.js';
import { startServers, type Servers } from '../../src/transport/servers.js';

const require = createRequire(import.meta.url);
const clientRoot = require.resolve('@ory/keto-grpc-client');
const fromClient = createRequire(clientRoot);
const grpc = fromClient('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
const stubs = (name: string) => fromClient(`./ory/keto/relation_tuples/v1alpha2/${name}`);
const tuples = stubs('relation_tuples_pb.js');
const readPb = stubs('read_service_pb.js');
const writePb = stubs('write_service_pb.js');
const namespacesPb = stubs('namespaces_service_pb.js');
const { ReadServiceClient } = stubs('read_service_grpc_pb.js');
const { WriteServiceClient } = stubs('write_service_grpc_pb.js');
const { NamespacesServiceClient } = stubs('namespaces_service_grpc_pb.js');

const call = <T>(client: any, method: string, request: unknown): Promise<T> =>
  new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));

const NAMESPACES = ['files', 'groups', 'Group'];

describe('relationship API over REST and gRPC with the official clients', () => {
  let dir: string;
  let config: LiveConfig;
  let store: RelationTupleStore;
  let servers: Servers;
  let rest: RelationshipApi;
  let restWrite: RelationshipApi;
  let grpcRead: any;
  let grpcWrite: any;
  let grpcNamespaces: any;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-wire-'));
    const file = join(dir, 'config.json');
    const endpoint = { host: '127.0.0.1', port: 0 };
    writeFileSync(
      file,
      JSON.stringify({
        dsn: 'memory',
        namespaces: NAMESPACES.map((name) => ({ name })),
        serve: { read: endpoint, write: endpoint, opl: endpoint, metrics: endpoint },
        log: { level: 'error' },
      }),
    );
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    config = watchConfig({ files: [file], env: {}, logger: quiet });
    store = await openStore('memory');
    await store.migrations.up();
    const snapshot = createSnapshot(
      NAMESPACES.map((name) => ({ name, relations: [] })),
      false,
    );
    const deps = { store, model: () => snapshot };
    servers = await startServers({
      config,
      logger: createLogger(config.current().log, openSync('/dev/null', 'w')),
      metrics: createMetrics(),
      version: 'test',
      routes: [...relationTupleRoutes(deps), ...namespaceRoutes(deps)],
      grpcMethods: [...readMethods(deps), ...writeMethods(deps), ...namespacesMethods(deps)],
      readiness: [],
    });
    const read = `127.0.0.1:${servers.addresses.read.port}`;
    const write = `127.0.0.1:${servers.addresses.write.port}`;
    rest = new RelationshipApi(new Configuration({ basePath: `http://${read}` }));
    restWrite = new RelationshipApi(new Configuration({ basePath: `http://${write}` }));
    grpcRead = new ReadServiceClient(read, grpc.credentials.createInsecure());
    grpcWrite = new WriteServiceClient(write, grpc.credentials.createInsecure());
    grpcNamespaces = new NamespacesServiceClient(read, grpc.credentials.createInsecure());
  });

  after(async () => {
    grpcRead?.close();
    grpcWrite?.close();
    grpcNamespaces?.close();
    await servers?.shutdown(0);
    await store?.close();
    config?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('PUT creates (201, Location, body), GET lists, DELETE removes (204)', async () => {
    const body = { namespace: 'files', object: 'a b/c', relation: 'view', subject_id: 'alice' };
    const created = await restWrite.createRelationship({ createRelationshipBody: body });
    assert.equal(created.status, 201);
    assert.deepEqual(created.data, body);
    assert.equal(created.headers['location'], '/relation-tuples?namespace=files&object=a+b%2Fc&relation=view&subject_id=alice');
    const listed = await rest.getRelationships({ namespace: 'files' });
    assert.deepEqual(listed.data, { relation_tuples: [body], next_page_token: '' });
    const deleted = await restWrite.deleteRelationships({ namespace: 'files', object: 'a b/c' });
    assert.equal(deleted.status, 204);
    assert.deepEqual((await rest.getRelationships({ namespace: 'files' })).data.relation_tuples, []);
  });

  test('PATCH applies inserts and deletes atomically; a bad delta writes nothing', async () => {
    const t = (object: string) => ({ namespace: 'files', object, relation: 'owner', subject_set: { namespace: 'groups', object: 'eng', relation: 'member' } });
    const patched = await restWrite.patchRelationships({
      relationshipPatch: [
        { action: 'insert', relation_tuple: t('1') },
        { action: 'insert', relation_tuple: t('2') },
        { action: 'delete', relation_tuple: t('1') },
      ],
    });
    assert.equal(patched.status, 204);
    assert.deepEqual((await rest.getRelationships({ namespace: 'files', relation: 'owner' })).data.relation_tuples, [t('2')]);
    const failure = await restWrite
      .patchRelationships({ relationshipPatch: [{ action: 'insert', relation_tuple: t('3') }, { action: 'insert', relation_tuple: { ...t('4'), namespace: 'nope' } }] })
      .catch((e) => e.response);
    assert.equal(failure.status, 404);
    assert.equal(failure.data.error.message, 'The requested resource could not be found');
    assert.equal(failure.data.error.reason, 'Unknown namespace with name "nope".');
    assert.deepEqual((await rest.getRelationships({ namespace: 'files', relation: 'owner' })).data.relation_tuples, [t('2')]);
    await restWrite.deleteRelationships({ namespace: 'files' });
  });

  test('GET pages with page_size and page_token; bad input answers 400 and unknown namespaces 404', async () => {
    await restWrite.patchRelationships({
      relationshipPatch: Array.from({ length: 7 }, (_, i) => ({
        action: 'insert' as const,
        relation_tuple: { namespace: 'groups', object: `g${i}`, relation: 'member', subject_id: 'bob' },
      })),
    });
    const objects: string[] = [];
    let token: string | undefined;
    do {
      const page = await rest.getRelationships({ namespace: 'groups', pageSize: 3, pageToken: token });
      objects.push(...page.data.relation_tuples!.map((r) => r.object));
      token = page.data.next_page_token || undefined;
    } while (token !== undefined);
    assert.deepEqual(objects, ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6']);
    const bad = await rest.getRelationships({ namespace: 'groups', pageToken: 'forged.token' }).catch((e) => e.response);
    assert.equal(bad.status, 400);
    const unknown = await rest.getRelationships({ namespace: 'unknown' }).catch((e) => e.response);
    assert.equal(unknown.status, 404);
    const port = servers.addresses.read.port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/relation-tuples?namespace=groups&page_size=abc`)).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${port}/relation-tuples?namespace=groups&subject=x`)).status, 400);
    const longRelation = await fetch(`http://127.0.0.1:${port}/relation-tuples?namespace=groups&relation=${'r'.repeat(65)}`);
    assert.equal(longRelation.status, 400);
    await restWrite.deleteRelationships({ namespace: 'groups' });
  });

  test('write validation as Keto: DELETE needs a namespace and only query keys; PUT needs a subject and prefers subject_id', async () => {
    const write = `http://127.0.0.1:${servers.addresses.write.port}`;
    const noNamespace = await fetch(`${write}/admin/relation-tuples?object=x`, { method: 'DELETE' });
    assert.equal(noNamespace.status, 400);
    assert.equal(((await noNamespace.json()) as any).error.reason, 'query parameters must specify at least one of the following: namespace');
    const extra = await fetch(`${write}/admin/relation-tuples?namespace=files&color=red`, { method: 'DELETE' });
    assert.equal(extra.status, 400);
    const unknown = await fetch(`${write}/admin/relation-tuples?namespace=nope`, { method: 'DELETE' });
    assert.equal(unknown.status, 404);
    const put = (body: unknown) => fetch(`${write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const noSubject = await put({ namespace: 'files', object: 'o', relation: 'r' });
    assert.equal(noSubject.status, 400);
    assert.equal(((await noSubject.json()) as any).error.message, 'subject is not allowed to be nil');
    const both = await put({ namespace: 'files', object: 'o', relation: 'r', subject_id: 's', subject_set: { namespace: 'groups', object: 'g', relation: 'm' } });
    assert.equal(both.status, 201);
    assert.deepEqual((await store.list({ namespace: 'files' })).tuples, [{ namespace: 'files', object: 'o', relation: 'r', subject: { id: 's' } }]);
    const tooLong = await put({ namespace: 'files', object: 'o', relation: 'r'.repeat(65), subject_id: 's' });
    assert.equal(tooLong.status, 400);
    const malformed = await fetch(`${write}/admin/relation-tuples`, { method: 'PATCH', body: '[{"action":"upsert","relation_tuple":{"namespace":"files","object":"o","relation":"r","subject_id":"s"}}]' });
    assert.equal(malformed.status, 400);
    await restWrite.deleteRelationships({ namespace: 'files' });
  });

  test('identifiers are case-sensitive through the API', async () => {
    await restWrite.createRelationship({ createRelationshipBody: { namespace: 'Group', object: 'x', relation: 'm', subject_id: 'a' } });
    assert.deepEqual((await rest.getRelationships({ namespace: 'groups' })).data.relation_tuples, []);
    assert.equal((await rest.getRelationships({ namespace: 'Group' })).data.relation_tuples!.length, 1);
    await restWrite.deleteRelationships({ namespace: 'Group' });
  });

  test('GET /namespaces and NamespacesService.ListNamespaces list the configured namespaces', async () => {
    assert.deepEqual((await rest.listRelationshipNamespaces()).data, { namespaces: NAMESPACES.map((name) => ({ name })) });
    const response = await call<any>(grpcNamespaces, 'listNamespaces', new namespacesPb.ListNamespacesRequest());
    assert.deepEqual(response.getNamespacesList().map((n: any) => n.getName()), NAMESPACES);
  });

  test('gRPC: TransactRelationTuples, ListRelationTuples with paging, DeleteRelationTuples', async () => {
    const tuple = (object: string) => {
      const t = new tuples.RelationTuple();
      t.setNamespace('files');
      t.setObject(object);
      t.setRelation('view');
      const subject = new tuples.Subject();
      subject.setId('carol');
      t.setSubject(subject);
      return t;
    };
    const request = new writePb.TransactRelationTuplesRequest();
    for (const object of ['x', 'y', 'z']) {
      const delta = new writePb.RelationTupleDelta();
      delta.setAction(writePb.RelationTupleDelta.Action.ACTION_INSERT);
      delta.setRelationTuple(tuple(object));
      request.addRelationTupleDeltas(delta);
    }
    const written = await call<any>(grpcWrite, 'transactRelationTuples', request);
    assert.deepEqual(written.getSnaptokensList(), ['not yet implemented', 'not yet implemented', 'not yet implemented']);

    const seen: string[] = [];
    let token = '';
    do {
      const list = new readPb.ListRelationTuplesRequest();
      const query = new tuples.RelationQuery();
      query.setNamespace('files');
      list.setRelationQuery(query);
      list.setPageSize(2);
      list.setPageToken(token);
      const page = await call<any>(grpcRead, 'listRelationTuples', list);
      seen.push(...page.getRelationTuplesList().map((t: any) => `${t.getObject()}@${t.getSubject().getId()}`));
      token = page.getNextPageToken();
    } while (token !== '');
    assert.deepEqual(seen, ['x@carol', 'y@carol', 'z@carol']);

    const unknown = new readPb.ListRelationTuplesRequest();
    const unknownQuery = new tuples.RelationQuery();
    unknownQuery.setNamespace('nope');
    unknown.setRelationQuery(unknownQuery);
    await assert.rejects(call(grpcRead, 'listRelationTuples', unknown), (e: any) => e.code === grpc.status.NOT_FOUND);

    const remove = new writePb.DeleteRelationTuplesRequest();
    const removeQuery = new tuples.RelationQuery();
    removeQuery.setNamespace('files');
    remove.setRelationQuery(removeQuery);
    await call(grpcWrite, 'deleteRelationTuples', remove);
    assert.deepEqual((await store.list({ namespace: 'files' })).tuples, []);
  });
});
