/**
 * Write throughput on a three-node MariaDB Galera cluster started for the run: three store
 * handles (three pools, as three gatehouse processes) each running WRITERS loops of one-tuple
 * transactions for SECONDS, first all through node 0, then one handle per node. Every write
 * takes the next revision from the one head row, so writes through different nodes conflict
 * at certification and the losers retry.
 *
 *   node dist/bench/galera-writes.js [SECONDS] [WRITERS]
 */
import { loadavg } from 'node:os';
import { openStore } from '../src/store/open.js';
import type { RelationTupleStore } from '../src/store/store.js';
import { GaleraCluster, galeraUnavailable } from '../test/support/galera-cluster.js';
import { printFigure } from './figure.js';

const seconds = Number(process.argv[2] ?? 10);
const writers = Number(process.argv[3] ?? 4);
/** database.max_retries' default for `serve` (a Galera node raises it): a write that runs out of retries counts as failed. */
const MAX_RETRIES = 3;
const PART = 'Galera writes';

async function measure(cluster: GaleraCluster, nodes: readonly number[], tag: string): Promise<{ perSecond: number; failed: number }> {
  const database = await cluster.database();
  const stores: RelationTupleStore[] = [];
  try {
    for (const node of nodes) stores.push(await openStore(database.on(node), { maxRetries: MAX_RETRIES }));
    await stores[0]!.migrations.up();
    await Promise.all(stores.map((store) => store.headRevision()));
    let written = 0;
    let failed = 0;
    const reasons = new Map<string, number>();
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; performance.now() < until; i++) {
            try {
              await store.transact([{ namespace: 'documents', object: `${tag}-${s}-${w}-${i}`, relation: 'viewer', subject: { id: `user-${i % 97}` } }], []);
              written++;
            } catch (error) {
              failed++;
              const cause = (error as { cause?: { code?: string; sql?: string } }).cause;
              const reason = `${(error as Error).message} (${cause?.code ?? 'no driver error'} in ${cause?.sql ?? '?'})`;
              reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            }
          }
        }),
      ),
    );
    for (const [reason, count] of reasons) console.log(`${tag}: ${count} writes failed: ${reason}`);
    return { perSecond: written / seconds, failed };
  } finally {
    for (const store of stores) await store.close();
    await database.drop();
  }
}

const unavailable = galeraUnavailable();
if (unavailable !== false) {
  console.error(`${PART} skipped: ${unavailable}`);
} else {
  const cluster = await GaleraCluster.start(3);
  try {
    printFigure({ part: PART, name: 'load average (1 min) before measuring', value: Math.round(loadavg()[0]! * 100) / 100, unit: '' });
    const one = await measure(cluster, [0, 0, 0], 'one');
    const spread = await measure(cluster, [0, 1, 2], 'spread');
    const transactions = `one-tuple transactions/s, 3 pools × ${writers} writers, ${seconds} s`;
    printFigure({ part: PART, name: 'all writes through node 0', value: Math.round(one.perSecond), unit: transactions });
    printFigure({ part: PART, name: 'writes spread over three nodes', value: Math.round(spread.perSecond), unit: transactions });
    printFigure({
      part: PART,
      name: 'spread over three ÷ through one',
      value: Math.round((spread.perSecond / one.perSecond) * 100) / 100,
      unit: '×',
      target: '≥ 1 (writing through every node costs nothing)',
      met: spread.perSecond >= one.perSecond,
    });
    printFigure({
      part: PART,
      name: `writes that failed (max_retries ${MAX_RETRIES}, as serve)`,
      value: one.failed + spread.failed,
      unit: 'writes',
      target: '0',
      met: one.failed + spread.failed === 0,
    });
    printFigure({ part: PART, name: 'load average (1 min) after measuring', value: Math.round(loadavg()[0]! * 100) / 100, unit: '' });
  } finally {
    await cluster.destroy();
  }
}
