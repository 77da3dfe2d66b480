import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { http1Request } from './clients.js';

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
    assert.deepEqual(items, Array.from({ length: DOCS }, (_, i) => `d${String(i).padStart(2, '0')}`));
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

  test('served on the read port only', async () => {
    for (const port of ['write', 'opl'] as const) {
      const res = await http1Request(`${gh.url[port]}/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=alice`);
      assert.equal(res.status, 404);
    }
  });
});
