import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { http1Request } from './clients.js';
import { streamCall } from './grpc-clients.js';

const MODEL = `
class User implements Namespace {}
class Group implements Namespace {
  related: { members: (User | SubjectSet<Group, "members">)[] }
}
class Doc implements Namespace {
  related: { viewers: (User | SubjectSet<Group, "members">)[]; parent: Folder[] }
  permits = {
    view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) || this.related.parent.traverse((f) => f.permits.view(ctx)),
  }
}
class Folder implements Namespace {
  related: { viewers: (User | SubjectSet<Group, "members">)[] }
  permits = { view: (ctx: Context): boolean => this.related.viewers.includes(ctx.subject) }
}
`;

const DOCS = 25;
const ALICE_DOCS = Array.from({ length: DOCS }, (_, i) => `d${String(i).padStart(2, '0')}`);

/** gatehouse.v1.LookupService over a stock grpc-js client: every message of the stream, or the first `take`. */
const lookupCall = (address: string, method: 'ListObjects' | 'ListSubjects', request: object, take?: number) =>
  streamCall(address, `/gatehouse.v1.LookupService/${method}`, `gatehouse.v1.${method}Request`, `gatehouse.v1.${method}Response`, [request], take === undefined ? {} : { take });
/** A Subject message as Keto's JSON writes it. */
const subjectJson = (s: { id?: string; set?: object | null; ref?: string }) => (s.ref === 'set' ? { subject_set: s.set } : { subject_id: s.id });

describe('list objects and list subjects over REST', () => {
  let gh: GatehouseProcess;
  const get = async (path: string) => {
    const res = await http1Request(`${gh.url.read}${path}`);
    return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  /** Every page of a lookup, following next_page_token. */
  const walk = async (path: string, key: 'objects' | 'subjects', pageSize: number) => {
    const items: unknown[] = [];
    let token = '';
    let pages = 0;
    do {
      const { status, body } = await get(`${path}&page_size=${pageSize}${token === '' ? '' : `&page_token=${encodeURIComponent(token)}`}`);
      assert.equal(status, 200, JSON.stringify(body));
      const page = body[key] as unknown[];
      assert.ok(page.length <= pageSize);
      items.push(...page);
      token = body.next_page_token as string;
      pages++;
    } while (token !== '');
    return { items, pages };
  };

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lookups-'));
    const model = join(dir, 'model.ts');
    writeFileSync(model, MODEL);
    gh = await startGatehouseProcess({ config: { namespaces: { location: `file://${model}` } } });
    const tuple = (namespace: string, object: string, relation: string, subject: Record<string, unknown>) => ({
      action: 'insert',
      relation_tuple: { namespace, object, relation, ...subject },
    });
    const deltas = [
      tuple('Group', 'eng', 'members', { subject_id: 'alice' }),
      tuple('Folder', 'handbook', 'viewers', { subject_set: { namespace: 'Group', object: 'eng', relation: 'members' } }),
      ...Array.from({ length: DOCS }, (_, i) => tuple('Doc', `d${String(i).padStart(2, '0')}`, 'parent', { subject_set: { namespace: 'Folder', object: 'handbook', relation: '' } })),
      tuple('Doc', 'private', 'viewers', { subject_id: 'bob' }),
    ];
    const res = await http1Request(`${gh.url.write}/admin/relation-tuples`, { method: 'PATCH', body: JSON.stringify(deltas) });
    assert.equal(res.status, 204, res.body);
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });

  test('list objects: every object the subject may view, once, across pages', async () => {
    const { items, pages } = await walk('/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice', 'objects', 10);
    assert.deepEqual(items, ALICE_DOCS);
    assert.equal(pages, 3);
    assert.deepEqual((await get('/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=bob')).body, { objects: ['private'], next_page_token: '' });
    assert.deepEqual((await get('/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=nobody')).body, { objects: [], next_page_token: '' });
  });

  test('list objects takes a subject set as check does', async () => {
    const { body } = await get('/relation-tuples/list-objects?namespace=Folder&relation=view&subject_set.namespace=Group&subject_set.object=eng&subject_set.relation=members');
    assert.deepEqual(body, { objects: ['handbook'], next_page_token: '' });
  });

  test('list subjects: subject ids, or subject sets of a namespace and relation', async () => {
    assert.deepEqual((await walk('/relation-tuples/list-subjects?namespace=Doc&object=d03&relation=view', 'subjects', 1)).items, [{ subject_id: 'alice' }]);
    const { body } = await get('/relation-tuples/list-subjects?namespace=Folder&object=handbook&relation=viewers&subject_namespace=Group&subject_relation=members');
    assert.deepEqual(body, { subjects: [{ subject_set: { namespace: 'Group', object: 'eng', relation: 'members' } }], next_page_token: '' });
  });

  test('a forged, altered or foreign page token is a 400 in the error envelope', async () => {
    const first = await get('/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice&page_size=5');
    const token = first.body.next_page_token as string;
    assert.notEqual(token, '');
    const altered = `${token.slice(0, 4)}${token[4] === 'A' ? 'B' : 'A'}${token.slice(5)}`;
    for (const bad of ['garbage', altered, `${token}x`]) {
      const res = await get(`/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice&page_token=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400);
      assert.equal((res.body.error as { message: string }).message, 'The page token is invalid or has expired; request the first page again');
    }
    const foreign = await get(`/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=bob&page_token=${encodeURIComponent(token)}`);
    assert.equal(foreign.status, 400, 'a token continues only the request it was issued for');
  });

  test('bad requests: a missing key, no subject, an unknown namespace, an undeclared relation, a bad page size', async () => {
    const cases: [string, number][] = [
      ['/relation-tuples/list-objects?relation=view&subject_id=alice', 400],
      ['/relation-tuples/list-objects?namespace=Doc&relation=view', 400],
      ['/relation-tuples/list-objects?namespace=Nope&relation=view&subject_id=alice', 404],
      ['/relation-tuples/list-objects?namespace=Doc&relation=nope&subject_id=alice', 400],
      ['/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice&page_size=ten', 400],
      ['/relation-tuples/list-subjects?namespace=Doc&relation=view', 400],
      ['/relation-tuples/list-subjects?namespace=Doc&object=d01&relation=view&subject_relation=members', 400],
    ];
    for (const [path, status] of cases) {
      const res = await get(path);
      assert.equal(res.status, status, path);
      assert.equal((res.body.error as { code: number }).code, status, path);
    }
  });

  test('check with explain=true: the same status and answer, and the path that granted it', async () => {
    const path = '/relation-tuples/check?namespace=Doc&object=d03&relation=view&subject_id=alice';
    assert.deepEqual(await get(path), { status: 200, body: { allowed: true } });
    const { status, body } = await get(`${path}&explain=true`);
    assert.equal(status, 200);
    assert.equal(body.allowed, true);
    const steps: string[] = [];
    for (let e = body.explanation as { step: string; result: string; children: unknown[] } | undefined; e !== undefined; e = e.children[0] as typeof e) {
      steps.push(`${e.step}:${e.result}`);
    }
    assert.deepEqual(steps, ['check:allowed', 'rewrite:allowed', 'traverse:allowed', 'check:allowed', 'rewrite:allowed', 'check:allowed', 'expand:allowed', 'tuple:allowed']);
    const denied = await get('/relation-tuples/check?namespace=Doc&object=d03&relation=view&subject_id=bob&explain=true');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.allowed, false);
    assert.equal((denied.body.explanation as { result: string }).result, 'denied');
  });

  test('a lookup takes a snaptoken as every read does, and answers with the token of its revision', async () => {
    const write = await http1Request(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      body: JSON.stringify({ namespace: 'Doc', object: 'fresh', relation: 'viewers', subject_id: 'carol' }),
    });
    assert.equal(write.status, 201);
    const token = write.headers['gatehouse-snaptoken'] as string;
    assert.ok(token);
    const res = await http1Request(`${gh.url.read}/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=carol&snaptoken=${encodeURIComponent(token)}`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { objects: ['fresh'], next_page_token: '' });
    assert.ok(res.headers['gatehouse-snaptoken']);
    const forged = await http1Request(`${gh.url.read}/relation-tuples/list-subjects?namespace=Doc&object=fresh&relation=view&snaptoken=forged`);
    assert.equal(forged.status, 400);
  });

  test('gRPC ListObjects streams the pages REST answers, one message each, all read at one snaptoken', async () => {
    const messages = await lookupCall(gh.grpc.read, 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageSize: 10 });
    assert.deepEqual(
      messages.map((m) => m.objects),
      [ALICE_DOCS.slice(0, 10), ALICE_DOCS.slice(10, 20), ALICE_DOCS.slice(20)],
    );
    assert.deepEqual(messages.map((m) => m.nextPageToken === ''), [false, false, true]);
    assert.notEqual(messages[0].snaptoken, '');
    assert.deepEqual(new Set(messages.map((m) => m.snaptoken)).size, 1);
    const bySet = await lookupCall(gh.grpc.read, 'ListObjects', {
      namespace: 'Folder',
      relation: 'view',
      subject: { set: { namespace: 'Group', object: 'eng', relation: 'members' } },
    });
    assert.deepEqual(bySet.map((m) => [m.objects, m.nextPageToken]), [[['handbook'], '']]);
    const none = await lookupCall(gh.grpc.read, 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'nobody' } });
    assert.deepEqual(none.map((m) => [m.objects, m.nextPageToken]), [[[], '']]);
  });

  test('gRPC ListSubjects answers what REST answers: subject ids, or subject sets of a kind', async () => {
    const ids = await lookupCall(gh.grpc.read, 'ListSubjects', { namespace: 'Doc', object: 'd03', relation: 'view', pageSize: 1 });
    const rest = await walk('/relation-tuples/list-subjects?namespace=Doc&object=d03&relation=view', 'subjects', 1);
    assert.deepEqual(ids.flatMap((m) => m.subjects.map(subjectJson)), rest.items);
    assert.deepEqual(rest.items, [{ subject_id: 'alice' }]);
    const sets = await lookupCall(gh.grpc.read, 'ListSubjects', {
      namespace: 'Folder',
      object: 'handbook',
      relation: 'viewers',
      subjectNamespace: 'Group',
      subjectRelation: 'members',
    });
    assert.deepEqual(sets.flatMap((m) => m.subjects.map(subjectJson)), [{ subject_set: { namespace: 'Group', object: 'eng', relation: 'members' } }]);
    const emptyKind = await lookupCall(gh.grpc.read, 'ListSubjects', { namespace: 'Doc', object: 'd03', relation: 'view', subjectNamespace: 'Group' });
    assert.deepEqual(emptyKind.flatMap((m) => m.subjects), []);
  });

  test('a broken gRPC walk resumes from the last token it received, on gRPC or REST: every object once', async () => {
    const request = { namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageSize: 7 };
    const [first] = await lookupCall(gh.grpc.read, 'ListObjects', request, 1);
    assert.deepEqual(first.objects, ALICE_DOCS.slice(0, 7));
    const rest = await lookupCall(gh.grpc.read, 'ListObjects', { ...request, pageToken: first.nextPageToken });
    assert.deepEqual([...first.objects, ...rest.flatMap((m) => m.objects)], ALICE_DOCS);
    const overRest = await get(`/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice&page_size=7&page_token=${encodeURIComponent(first.nextPageToken)}`);
    assert.deepEqual(overRest.body.objects, ALICE_DOCS.slice(7, 14));
    const [fromRest] = await lookupCall(gh.grpc.read, 'ListObjects', { ...request, pageToken: overRest.body.next_page_token }, 1);
    assert.deepEqual(fromRest.objects, ALICE_DOCS.slice(14, 21));
  });

  test('gRPC lookups: a bad request or a forged token is INVALID_ARGUMENT, an unknown namespace NOT_FOUND', async () => {
    const [good] = await lookupCall(gh.grpc.read, 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageSize: 5 }, 1);
    const altered = `${good.nextPageToken.slice(0, 4)}${good.nextPageToken[4] === 'A' ? 'B' : 'A'}${good.nextPageToken.slice(5)}`;
    const cases: [name: string, method: 'ListObjects' | 'ListSubjects', request: object, code: number, details: string][] = [
      ['no subject', 'ListObjects', { namespace: 'Doc', relation: 'view' }, grpc.status.INVALID_ARGUMENT, 'subject is not allowed to be nil'],
      ['forged page token', 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageToken: 'forged' }, grpc.status.INVALID_ARGUMENT, 'The page token is invalid or has expired; request the first page again'],
      ['altered page token', 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'alice' }, pageToken: altered }, grpc.status.INVALID_ARGUMENT, 'The page token is invalid or has expired; request the first page again'],
      ['foreign page token', 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'bob' }, pageToken: good.nextPageToken }, grpc.status.INVALID_ARGUMENT, 'The page token is invalid or has expired; request the first page again'],
      ['subject_relation alone', 'ListSubjects', { namespace: 'Doc', object: 'd01', relation: 'view', subjectRelation: 'members' }, grpc.status.INVALID_ARGUMENT, 'subject_relation needs subject_namespace'],
      ['forged snaptoken', 'ListSubjects', { namespace: 'Doc', object: 'd01', relation: 'view', snaptoken: 'forged' }, grpc.status.INVALID_ARGUMENT, 'The snaptoken is invalid: use a token this database issued, unchanged'],
      ['unknown namespace', 'ListObjects', { namespace: 'Nope', relation: 'view', subject: { id: 'alice' } }, grpc.status.NOT_FOUND, 'The requested resource could not be found: Unknown namespace with name "Nope".'],
    ];
    for (const [name, method, request, code, details] of cases) {
      await assert.rejects(lookupCall(gh.grpc.read, method, request), (err: grpc.ServiceError) => {
        assert.equal(err.code, code, `${name}: ${err.details}`);
        assert.equal(err.details, details, name);
        return true;
      });
    }
  });

  test('served on the read port only', async () => {
    for (const port of ['write', 'opl'] as const) {
      await assert.rejects(lookupCall(gh.grpc[port], 'ListObjects', { namespace: 'Doc', relation: 'view', subject: { id: 'alice' } }), { code: grpc.status.UNIMPLEMENTED });
    }
    for (const port of ['write', 'opl'] as const) {
      const res = await http1Request(`${gh.url[port]}/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice`);
      assert.equal(res.status, 404);
    }
  });
});
