/**
 * Watch over the wire, on every SQL dialect: two gatehouse processes write to one database
 * while a client watches one of them over Server-Sent Events, disconnecting and resuming
 * with Last-Event-ID: it sees every committed change exactly once, in commit order. A start
 * the changelog no longer holds is 410 Gone (OUT_OF_RANGE over gRPC). A Keto process writing
 * the same database through SQL is seen by the running gatehouse's index and by watch.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import grpc from '@grpc/grpc-js';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.js';
import { type Snaptokens, snaptokensOf } from '../../src/store/snaptoken.js';
import type { ChangeEntry, RelationTupleStore } from '../../src/store/store.js';
import { messageType, TO_OBJECT } from '../../src/transport/grpc/schema.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { ketoWriter } from '../store/keto-writer.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { http1Request } from './clients.js';

const HEADER = 'gatehouse-snaptoken';

interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

interface SseConnection {
  readonly status: number;
  readonly body: string;
  close(): void;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
}

/** A minimal EventSource: one GET, events parsed as they arrive; a non-200 answer is read whole. */
function sse(url: string, headers: Record<string, string>, onEvent: (event: SseEvent) => void): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      res.setEncoding('utf8');
      let ended!: () => void;
      const endedPromise = new Promise<void>((r) => (ended = r));
      res.on('end', () => ended());
      res.on('close', () => ended());
      res.on('error', () => ended());
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body, close: () => req.destroy(), ended: endedPromise }));
        return;
      }
      let pending = '';
      res.on('data', (chunk: string) => {
        pending += chunk;
        let blank: number;
        while ((blank = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, blank);
          pending = pending.slice(blank + 2);
          let id: string | undefined;
          let event: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) onEvent({ id, event, data: data.join('\n') });
        }
      });
      resolve({ status: 200, body: '', close: () => req.destroy(), ended: endedPromise });
    });
    req.on('error', reject);
  });
}

/** The changes of changelog entries as watch reports them: inserts, then deletes, entry by entry. */
const changesOf = (entries: readonly ChangeEntry[]) =>
  entries.flatMap((e) => [...e.inserted.map((t) => ['insert', t] as const), ...e.deleted.map((t) => ['delete', t] as const)]);

const ketoJson = (t: ChangeEntry['inserted'][number]) =>
  'id' in t.subject
    ? { namespace: t.namespace, object: t.object, relation: t.relation, subject_id: t.subject.id }
    : { namespace: t.namespace, object: t.object, relation: t.relation, subject_set: t.subject.set };

const until = async (condition: () => boolean, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** gatehouse.v1.WatchService.Watch with a stock grpc-js client. */
function grpcWatch(address: string, snaptoken: string, onMessage: (message: any) => void): { call: grpc.ClientReadableStream<any>; close: () => void; status: Promise<grpc.StatusObject> } {
  const req = messageType('gatehouse.v1.WatchRequest');
  const res = messageType('gatehouse.v1.WatchResponse');
  const Client = grpc.makeGenericClientConstructor(
    {
      watch: {
        path: '/gatehouse.v1.WatchService/Watch',
        requestStream: false,
        responseStream: true,
        requestSerialize: (value: object) => Buffer.from(req.encode(req.fromObject(value)).finish()),
        requestDeserialize: (bytes: Buffer) => req.toObject(req.decode(bytes), TO_OBJECT),
        responseSerialize: (value: object) => Buffer.from(res.encode(res.fromObject(value)).finish()),
        responseDeserialize: (bytes: Buffer) => res.toObject(res.decode(bytes), TO_OBJECT),
      },
    },
    'Watch',
  );
  const client = new Client(address, grpc.credentials.createInsecure());
  const call = (client as any).watch({ snaptoken }) as grpc.ClientReadableStream<any>;
  call.on('data', onMessage);
  call.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  return {
    call,
    close: () => {
      call.cancel();
      client.close();
    },
    status,
  };
}

for (const dialect of SQL_DIALECTS) {
  describe(`watch on ${dialect.name}`, { skip: dialect.skip, timeout: 120_000 }, () => {
    let database: TestDatabase;
    let a: GatehouseProcess;
    let b: GatehouseProcess;
    let store: RelationTupleStore;
    let tokens: Snaptokens;
    let firstToken: string;

    before(async () => {
      database = await dialect.database();
      const config = { dsn: database.dsn, namespaces: [{ id: 0, name: 'files' }, { id: 1, name: 'groups' }] };
      a = await startGatehouseProcess({ config, args: ['--migrate'] });
      b = await startGatehouseProcess({ config });
      store = await openStore(database.dsn);
      tokens = await snaptokensOf(store)();
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await store?.close();
      await database?.drop();
    });

    const patch = (gh: GatehouseProcess, deltas: unknown[]) =>
      http1Request(`${gh.url.write}/admin/relation-tuples`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(deltas) });
    const tuple = (object: string, user: string) => ({ namespace: 'files', object, relation: 'viewer', subject_id: user });

    test('two processes write while a client disconnects and resumes with Last-Event-ID: every change once, in order', async () => {
      const started = await patch(a, [{ action: 'insert', relation_tuple: tuple('start', 'alice') }]);
      assert.equal(started.status, 204);
      firstToken = String(started.headers[HEADER]);
      const from = tokens.read(firstToken).revision;

      const received: SseEvent[] = [];
      let connection = await sse(`${a.url.read}/relation-tuples/watch?snaptoken=${encodeURIComponent(firstToken)}`, {}, (e) => received.push(e));
      assert.equal(connection.status, 200);

      const writer = async (gh: GatehouseProcess, name: string) => {
        for (let i = 0; i < 15; i++) {
          const deltas = [
            { action: 'insert', relation_tuple: tuple(`${name}-${i}`, 'bob') },
            { action: 'insert', relation_tuple: { namespace: 'groups', object: `${name}-${i}`, relation: 'member', subject_set: { namespace: 'groups', object: 'all', relation: 'member' } } },
            ...(i > 0 ? [{ action: 'delete', relation_tuple: tuple(`${name}-${i - 1}`, 'bob') }] : []),
          ];
          assert.equal((await patch(gh, deltas)).status, 204);
        }
      };
      const writing = Promise.all([writer(a, 'a'), writer(b, 'b')]);

      // Disconnect mid-write (every write has two or three changes), then resume, twice.
      let resumed = 0;
      for (const count of [7, 20]) {
        await until(() => received.length >= count, `${count} events`);
        connection.close();
        await connection.ended;
        resumed = received.length;
        const last = received[received.length - 1]!.id!;
        connection = await sse(`${a.url.read}/relation-tuples/watch?snaptoken=${encodeURIComponent(firstToken)}`, { 'last-event-id': last }, (e) => received.push(e));
        assert.equal(connection.status, 200);
      }
      await writing;
      const expected = changesOf(await store.changesSince(from, 10_000));
      assert.equal(expected.length, 2 * (15 * 2 + 14));
      await until(() => received.length >= expected.length, `all ${expected.length} changes`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      connection.close();

      assert.ok(resumed >= 20);
      assert.deepEqual(
        received.map((e) => JSON.parse(e.data).relation_tuple),
        expected.map(([, t]) => ketoJson(t)),
      );
      assert.deepEqual(
        received.map((e) => JSON.parse(e.data).action),
        expected.map(([action]) => action),
      );
      let previous = { revision: from, within: 0 };
      for (const event of received) {
        assert.equal(event.event, undefined);
        assert.equal(JSON.parse(event.data).snaptoken, event.id);
        const position = tokens.read(event.id!);
        const at = { revision: position.revision, within: position.within ?? Number.MAX_SAFE_INTEGER };
        assert.ok(at.revision > previous.revision || (at.revision === previous.revision && at.within > previous.within), `${JSON.stringify(at)} after ${JSON.stringify(previous)}`);
        previous = at;
      }
      assert.equal(previous.revision, await store.headRevision());
      // A read with a watch event's token sees that change.
      const lastInsert = received.filter((e) => JSON.parse(e.data).action === 'insert').at(-1)!;
      const t = JSON.parse(lastInsert.data).relation_tuple;
      const query = new URLSearchParams({ namespace: t.namespace, object: t.object, relation: t.relation, 'subject_set.namespace': 'groups', 'subject_set.object': 'all', 'subject_set.relation': 'member', snaptoken: lastInsert.id! });
      assert.equal((await http1Request(`${b.url.read}/relation-tuples/check?${query}`)).status, 200);
    });

    test('gRPC Watch streams the same changes and resumes from a message snaptoken', async () => {
      const start = String((await http1Request(`${b.url.read}/relation-tuples?namespace=files&latest=true`)).headers[HEADER]);
      const messages: any[] = [];
      const first = grpcWatch(a.grpc.read, start, (m) => messages.push(m));
      await patch(b, [
        { action: 'insert', relation_tuple: tuple('grpc', 'carol') },
        { action: 'delete', relation_tuple: tuple('grpc', 'dave') },
      ]);
      await until(() => messages.length >= 1, 'the first message');
      first.close();
      assert.equal((await first.status).code, grpc.status.CANCELLED);
      assert.equal(messages[0].action, 'ACTION_INSERT');
      assert.deepEqual(messages[0].relationTuple, { namespace: 'files', object: 'grpc', relation: 'viewer', subject: { id: 'carol', ref: 'id' } });
      const resumed: any[] = [];
      const second = grpcWatch(a.grpc.read, messages[0].snaptoken, (m) => resumed.push(m));
      await patch(a, [{ action: 'insert', relation_tuple: tuple('grpc', 'erin') }]);
      await until(() => resumed.length >= 2, 'the resumed messages');
      second.close();
      assert.deepEqual(
        resumed.map((m) => [m.action, m.relationTuple.subject.id]),
        [
          ['ACTION_DELETE', 'dave'],
          ['ACTION_INSERT', 'erin'],
        ],
      );
      assert.deepEqual(tokens.read(resumed[1].snaptoken), { revision: await store.headRevision() });

      const forged = grpcWatch(a.grpc.read, 'forged', () => undefined);
      const refused = await forged.status;
      forged.close();
      assert.equal(refused.code, grpc.status.INVALID_ARGUMENT);
    });

    test('a Keto process writing through SQL is seen by the running gatehouse: its index and watch', async () => {
      const start = String((await http1Request(`${a.url.read}/relation-tuples?namespace=files&latest=true`)).headers[HEADER]);
      const received: SseEvent[] = [];
      const connection = await sse(`${b.url.read}/relation-tuples/watch?snaptoken=${encodeURIComponent(start)}`, {}, (e) => received.push(e));
      const keto = await ketoWriter(database.dsn, await store.networkId());
      const check = `${a.url.read}/relation-tuples/check?namespace=files&object=keto%20doc&relation=viewer&subject_id=frank`;
      try {
        assert.equal((await http1Request(check)).status, 403);
        await keto.insert([{ namespace: 'files', object: 'keto doc', relation: 'viewer', subject: { id: 'frank' } }]);
        // Default consistency (Keto's read-your-writes): the index of the running gatehouse has the row.
        const allowed = await http1Request(check);
        assert.equal(allowed.status, 200, allowed.body);
        await keto.delete([{ namespace: 'files', object: 'keto doc', relation: 'viewer', subject: { id: 'frank' } }]);
        assert.equal((await http1Request(check)).status, 403);
        await until(() => received.length >= 2, 'the Keto writes on watch');
      } finally {
        connection.close();
        await keto.close();
      }
      assert.deepEqual(
        received.map((e) => [JSON.parse(e.data).action, JSON.parse(e.data).relation_tuple]),
        [
          ['insert', { namespace: 'files', object: 'keto doc', relation: 'viewer', subject_id: 'frank' }],
          ['delete', { namespace: 'files', object: 'keto doc', relation: 'viewer', subject_id: 'frank' }],
        ],
      );
    });

    test("a start the changelog no longer holds is 410 Gone (OUT_OF_RANGE over gRPC); a forged one 400, in Keto's envelope", async () => {
      let deleted = 0;
      for (let n = -1; n !== 0; deleted += n) n = await store.pruneChangelog(new Date(Date.now() + 60_000), 1000);
      assert.ok(deleted > 0);
      for (const headers of [{}, { 'last-event-id': firstToken }] as Record<string, string>[]) {
        const gone = await sse(`${a.url.read}/relation-tuples/watch${'last-event-id' in headers ? '' : `?snaptoken=${encodeURIComponent(firstToken)}`}`, headers, () => undefined);
        assert.equal(gone.status, 410, gone.body);
        const { error } = JSON.parse(gone.body) as { error: { code: number; status: string; message: string; reason: string } };
        assert.equal(error.code, 410);
        assert.equal(error.status, 'Gone');
        assert.equal(error.reason, 'changelog_pruned');
        assert.match(error.message, /pruned/);
      }
      const forged = await sse(`${a.url.read}/relation-tuples/watch`, { 'last-event-id': `${firstToken.slice(0, -2)}xx` }, () => undefined);
      assert.equal(forged.status, 400);
      assert.equal((JSON.parse(forged.body) as { error: { code: number } }).error.code, 400);
      const watch = grpcWatch(a.grpc.read, firstToken, () => undefined);
      const status = await watch.status;
      watch.close();
      assert.equal(status.code, grpc.status.OUT_OF_RANGE);
      // From now on, a watch still works.
      const received: SseEvent[] = [];
      const connection = await sse(`${a.url.read}/relation-tuples/watch`, {}, (e) => received.push(e));
      await patch(b, [{ action: 'insert', relation_tuple: tuple('after-pruning', 'gus') }]);
      await until(() => received.length >= 1, 'an event after pruning');
      connection.close();
      assert.equal(JSON.parse(received[0]!.data).relation_tuple.object, 'after-pruning');
    });
  });
}
