import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { startGatehouseProcess } from '../support/server.js';
import { unaryCall } from './grpc-clients.js';

const RT = 'ory.keto.relation_tuples.v1alpha2';
const BROKEN = 'class Doc implements Namespace { related: { viewers: Usr[] } }\nclass User implements Namespace {}';
const FIXED = 'class Doc implements Namespace { related: { viewers: User[] } }\nclass User implements Namespace {}';
const CHECK = '/relation-tuples/check?namespace=Doc&object=d&relation=viewers&subject_id=alice';

test('an OPL model with errors at start: not ready, checks refused with 503, until a valid model is loaded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-broken-model-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, 'model.ts');
  writeFileSync(model, BROKEN);
  const gh = await startGatehouseProcess({ config: { namespaces: { location: `file://${model}` } }, waitReady: false });
  t.after(() => gh.stop('SIGKILL'));

  const ready = await fetch(`${gh.url.read}/health/ready`);
  assert.equal(ready.status, 503);
  assert.deepEqual(await ready.json(), {
    errors: { namespaces: 'the namespace model has 1 error(s); no model is in force until it is fixed' },
  });
  assert.equal((await fetch(`${gh.url.read}/health/alive`)).status, 200);

  const check = await fetch(`${gh.url.read}${CHECK}`, { headers: { 'x-request-id': 'm' } });
  assert.equal(check.status, 503);
  assert.deepEqual(await check.json(), {
    error: { code: 503, status: 'Service Unavailable', message: 'no namespace model is in force: the configured model has errors', request: 'm' },
  });
  const batch = await fetch(`${gh.url.read}/relation-tuples/batch/check`, {
    method: 'POST',
    body: JSON.stringify({ tuples: [{ namespace: 'Doc', object: 'd', relation: 'viewers', subject_id: 'alice' }] }),
  });
  assert.equal(batch.status, 503);
  await assert.rejects(
    unaryCall(gh.grpc.read, `/${RT}.CheckService/Check`, `${RT}.CheckRequest`, `${RT}.CheckResponse`, {
      tuple: { namespace: 'Doc', object: 'd', relation: 'viewers', subject: { id: 'alice' } },
    }),
    { code: grpc.status.UNAVAILABLE, details: 'no namespace model is in force: the configured model has errors' },
  );
  const write = await fetch(`${gh.url.write}/admin/relation-tuples`, {
    method: 'PUT',
    body: JSON.stringify({ namespace: 'Doc', object: 'd', relation: 'viewers', subject_id: 'alice' }),
  });
  assert.equal(write.status, 503);

  const report = gh.logs.find((l) => (l as { level?: string }).level === 'error') as { msg: string; errors: unknown[] };
  assert.match(report.msg, /has 1 error\(s\); no model is in force until it is fixed/);
  assert.equal(gh.logs.some((l) => /keeping the previous model/.test(JSON.stringify(l))), false);

  writeFileSync(model, FIXED);
  let status = 0;
  for (let i = 0; i < 400 && status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    status = (await fetch(`${gh.url.read}/health/ready`)).status;
  }
  assert.equal(status, 200);
  const created = await fetch(`${gh.url.write}/admin/relation-tuples`, {
    method: 'PUT',
    body: JSON.stringify({ namespace: 'Doc', object: 'd', relation: 'viewers', subject_id: 'alice' }),
  });
  assert.equal(created.status, 201);
  assert.equal((await fetch(`${gh.url.read}${CHECK}`)).status, 200);
  assert.equal(await gh.stop(), 0);
});
