import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { startGatehouseProcess } from '../support/server.js';
import { unaryCall } from './grpc-clients.js';

const NOT_MIGRATED = 'The database schema is not migrated: run "gatehouse migrate up"';

test('on a database with pending migrations, reads and writes answer 503 / UNAVAILABLE saying so, and the process stays up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pending-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gh = await startGatehouseProcess({ config: { dsn: `sqlite://${join(dir, 'db.sqlite')}`, namespaces: [{ id: 0, name: 'files' }] }, waitReady: false });
  t.after(() => gh.stop('SIGKILL'));
  const tuple = { namespace: 'files', object: 'a', relation: 'view', subject_id: 'u' };
  const query = new URLSearchParams(tuple).toString();
  const requests: [string, string, string?][] = [
    ['GET', `${gh.url.read}/relation-tuples/check?${query}`],
    ['POST', `${gh.url.read}/relation-tuples/check`, JSON.stringify(tuple)],
    ['GET', `${gh.url.read}/relation-tuples?namespace=files`],
    ['GET', `${gh.url.read}/relation-tuples/expand?namespace=files&object=a&relation=view`],
    ['GET', `${gh.url.read}/relation-tuples/list-objects?namespace=files&relation=view&subject_id=u`],
    ['PUT', `${gh.url.write}/admin/relation-tuples`, JSON.stringify(tuple)],
    ['PATCH', `${gh.url.write}/admin/relation-tuples`, JSON.stringify([{ action: 'insert', relation_tuple: tuple }])],
    ['DELETE', `${gh.url.write}/admin/relation-tuples?${query}`],
  ];
  for (const [method, url, body] of requests) {
    const res = await fetch(url, { method, ...(body !== undefined && { body, headers: { 'content-type': 'application/json', 'x-request-id': 'p' } }) });
    const answer = (await res.json()) as { error: { request?: string } };
    delete answer.error.request;
    assert.deepEqual({ status: res.status, answer }, { status: 503, answer: { error: { code: 503, status: 'Service Unavailable', message: NOT_MIGRATED } } }, `${method} ${url}`);
  }
  await assert.rejects(
    unaryCall(
      gh.grpc.read,
      '/ory.keto.relation_tuples.v1alpha2.CheckService/Check',
      'ory.keto.relation_tuples.v1alpha2.CheckRequest',
      'ory.keto.relation_tuples.v1alpha2.CheckResponse',
      { tuple: { namespace: 'files', object: 'a', relation: 'view', subject: { id: 'u' } } },
    ),
    { code: grpc.status.UNAVAILABLE, details: NOT_MIGRATED },
  );
  assert.equal((await fetch(`${gh.url.read}/health/alive`)).status, 200);
  assert.equal((await fetch(`${gh.url.read}/health/ready`)).status, 503);
  assert.equal(await gh.stop(), 0);
});
