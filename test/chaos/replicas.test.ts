/**
 * Two gatehouse processes over one database, each with its in-memory index and Keto's default
 * consistency: every check sent to B after the answer to a write sent to A sees that write
 * (inserts and deletes), as Keto, which reads the database on every check, guarantees.
 *
 * GATEHOUSE_REPLICA_PAIRS sets the number of write-then-check pairs per dialect (`npm run chaos`: 10000).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';
import { knob } from './support/requests.js';

const PAIRS = knob('GATEHOUSE_REPLICA_PAIRS', 100);
const NAMESPACES = [{ id: 0, name: 'files' }];

for (const dialect of SQL_DIALECTS) {
  describe(`two replicas on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let a: GatehouseProcess;
    let b: GatehouseProcess;
    before(async () => {
      database = await dialect.database();
      a = await startGatehouseProcess({ config: { dsn: database.dsn, namespaces: NAMESPACES, log: { level: 'warn' } }, args: ['--migrate'] });
      b = await startGatehouseProcess({ config: { dsn: database.dsn, namespaces: NAMESPACES, log: { level: 'warn' } } });
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
    });

    test(`${PAIRS} writes on A, each checked on B after the write's answer: no stale answer`, async () => {
      let seed = 7;
      const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
      const stored = new Set<string>();
      let stale = 0;
      let inserts = 0;
      let deletes = 0;
      for (let i = 0; i < PAIRS; i++) {
        const tuple = { namespace: 'files', object: `doc-${next(5)}`, relation: 'view', subject_id: `user-${next(4)}` };
        const key = `${tuple.object}@${tuple.subject_id}`;
        const present = stored.has(key);
        const write = present
          ? await fetch(`${a.url.write}/admin/relation-tuples?${new URLSearchParams(tuple)}`, { method: 'DELETE' })
          : await fetch(`${a.url.write}/admin/relation-tuples`, { method: 'PUT', body: JSON.stringify(tuple), headers: { 'content-type': 'application/json' } });
        await write.arrayBuffer();
        assert.equal(write.status, present ? 204 : 201);
        if (present) {
          stored.delete(key);
          deletes++;
        } else {
          stored.add(key);
          inserts++;
        }
        const check = await fetch(`${b.url.read}/relation-tuples/check/openapi?${new URLSearchParams(tuple)}`);
        const { allowed } = (await check.json()) as { allowed: boolean };
        assert.equal(check.status, 200);
        if (allowed !== !present) stale++;
      }
      assert.ok(inserts > PAIRS / 4 && deletes > PAIRS / 4, `inserts ${inserts}, deletes ${deletes}`);
      assert.equal(stale, 0, `${stale} of ${PAIRS} checks on B missed the write just answered by A`);
    });
  });
}
