import assert from 'node:assert/strict';
import { startGatehouseProcess, type GatehouseProcess } from '../../support/server.js';

const NAMESPACES = [{ id: 0, name: 'files' }];

/** Two gatehouse processes with Keto's default consistency: A on `dsnA` (it migrates the database), B on `dsnB`. */
export async function startReplicas(dsnA: string, dsnB: string): Promise<[GatehouseProcess, GatehouseProcess]> {
  const a = await startGatehouseProcess({ config: { dsn: dsnA, namespaces: NAMESPACES, log: { level: 'warn' } }, args: ['--migrate'] });
  const b = await startGatehouseProcess({ config: { dsn: dsnB, namespaces: NAMESPACES, log: { level: 'warn' } } }).catch(async (error: unknown) => {
    await a.stop();
    throw error;
  });
  return [a, b];
}

/**
 * `pairs` writes sent to A (inserts and deletes of tuples in namespace `files`), each followed
 * by a check sent to B once A answered; returns how many of B's answers missed the write.
 */
export async function staleChecksAfterWrites(a: GatehouseProcess, b: GatehouseProcess, pairs: number): Promise<number> {
  let seed = 7;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const stored = new Set<string>();
  let stale = 0;
  let inserts = 0;
  let deletes = 0;
  for (let i = 0; i < pairs; i++) {
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
  assert.ok(inserts > pairs / 4 && deletes > pairs / 4, `inserts ${inserts}, deletes ${deletes}`);
  return stale;
}
