import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

/** The metrics of the work, scraped from the metrics port after a known sequence of requests. */

/** `name{labels} value` lines of the series named `name` (and its histogram suffixes). */
function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    if (key === name || key.startsWith(`${name}{`) || key.startsWith(`${name}_`)) out.set(key, Number(line.slice(space + 1)));
  }
  return out;
}

for (const dialect of SQL_DIALECTS) {
  describe(`work metrics on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let gh: GatehouseProcess;
    let scraped: string;
    const tuple = (subject: string) => ({ namespace: 'files', object: 'readme', relation: 'viewer', subject_id: subject });
    const check = async (subject: string) =>
      (await fetch(`${gh.url.read}/relation-tuples/check?namespace=files&object=readme&relation=viewer&subject_id=${subject}&latest=true`)).status;

    before(async () => {
      database = await dialect.database();
      gh = await startGatehouseProcess({ config: { dsn: database.dsn, namespaces: [{ name: 'files' }], log: { level: 'warn' } }, args: ['--migrate'] });
      for (const subject of ['alice', 'bob']) {
        const put = await fetch(`${gh.url.write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(tuple(subject)) });
        assert.equal(put.status, 201);
      }
      assert.deepEqual([await check('alice'), await check('bob'), await check('mallory')], [200, 200, 403]);
      const batch = await fetch(`${gh.url.read}/relation-tuples/batch/check`, {
        method: 'POST',
        body: JSON.stringify({ tuples: [tuple('alice'), tuple('eve')] }),
      });
      assert.deepEqual(await batch.json(), { results: [{ allowed: true }, { allowed: false }] });
      scraped = await (await fetch(`${gh.url.metrics}/metrics/prometheus`)).text();
    });
    after(async () => {
      assert.equal(await gh.stop(), 0);
      await database.drop();
    });

    test('checks are counted by result, and their steps in a histogram', () => {
      assert.deepEqual(
        series(scraped, 'gatehouse_checks_total'),
        new Map([
          ['gatehouse_checks_total{result="allowed"}', 3],
          ['gatehouse_checks_total{result="denied"}', 2],
        ]),
      );
      const steps = series(scraped, 'gatehouse_check_steps');
      // An allowed check finds the tuple in one step; a denied one also looks for subject sets to expand.
      assert.equal(steps.get('gatehouse_check_steps_count'), 5);
      assert.equal(steps.get('gatehouse_check_steps_sum'), 3 * 1 + 2 * 2);
      assert.equal(steps.get('gatehouse_check_steps_bucket{le="1"}'), 3);
      assert.equal(steps.get('gatehouse_check_steps_bucket{le="2"}'), 5);
      assert.equal(steps.size, 11 + 1 + 2, 'eleven buckets, +Inf, sum and count');
    });

    test('the index reports its revision, its lag behind the database, its memory and the follower lag', () => {
      // Two writes, each one revision; `latest=true` made the index reach them.
      assert.deepEqual(series(scraped, 'gatehouse_index_revision'), new Map([['gatehouse_index_revision', 2], ['gatehouse_index_revision_lag', 0]]));
      const bytes = series(scraped, 'gatehouse_index_memory_bytes').get('gatehouse_index_memory_bytes')!;
      assert.ok(bytes > 0, `index memory ${bytes}`);
      const followerLag = series(scraped, 'gatehouse_changelog_follower_lag_seconds').get('gatehouse_changelog_follower_lag_seconds')!;
      assert.ok(Number.isFinite(followerLag) && followerLag >= 0, `follower lag ${followerLag}`);
    });

    test('the database pool reports connections in use and waiting where there is a pool', () => {
      const pool = new Map([...series(scraped, 'gatehouse_database_connections_in_use'), ...series(scraped, 'gatehouse_database_connections_waiting')]);
      if (dialect.name === 'SQLite') assert.equal(pool.size, 0, 'SQLite runs in-process, without a pool');
      else {
        assert.deepEqual(
          pool,
          new Map([
            ['gatehouse_database_connections_in_use', 0],
            ['gatehouse_database_connections_waiting', 0],
          ]),
        );
      }
    });
  });
}
