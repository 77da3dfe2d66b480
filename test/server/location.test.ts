import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_LOCATION_LENGTH } from '../../src/transport/rest/relation-tuples.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { h2cRequest, http1Request } from './clients.js';

describe('the Location of a created relationship', () => {
  let gh: GatehouseProcess;
  before(async () => {
    gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'files' }], log: { level: 'warn' } } });
  });
  after(async () => {
    assert.equal(await gh.stop(), 0);
  });
  const put = (object: string) =>
    http1Request(`${gh.url.write}/admin/relation-tuples`, {
      method: 'PUT',
      body: JSON.stringify({ namespace: 'files', object, relation: 'view', subject_id: 'alice' }),
    });

  test("is Keto's /relation-tuples?<tuple> for an ordinary tuple", async () => {
    const res = await put('a b/c');
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, '/relation-tuples?namespace=files&object=a+b%2Fc&relation=view&subject_id=alice');
  });

  test(`is /relation-tuples without the query once that would pass ${MAX_LOCATION_LENGTH} characters; the body still holds the tuple`, async () => {
    const object = 'x'.repeat(2 * 1024 * 1024);
    const res = await put(object);
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, '/relation-tuples');
    assert.equal(JSON.parse(res.body).object, object);
    const overH2 = await h2cRequest(gh.url.write, '/admin/relation-tuples', {
      method: 'PUT',
      body: JSON.stringify({ namespace: 'files', object: 'y'.repeat(MAX_LOCATION_LENGTH), relation: 'view', subject_id: 'alice' }),
    });
    assert.equal(overH2.status, 201);
    assert.equal(overH2.headers.location, '/relation-tuples');
    const justUnder = await put('z'.repeat(MAX_LOCATION_LENGTH - '/relation-tuples?namespace=files&object=&relation=view&subject_id=alice'.length));
    assert.equal(justUnder.headers.location?.length, MAX_LOCATION_LENGTH);
  });
});
