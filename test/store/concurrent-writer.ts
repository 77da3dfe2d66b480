/**
 * A second process writing to the same database as a store test:
 * `node concurrent-writer.js DSN COUNT TAG` writes COUNT one-tuple transactions and
 * prints the revisions it got as JSON.
 */
import { openStore } from '../../src/store/open.js';

const [dsn, count, tag] = process.argv.slice(2);
const store = await openStore(dsn!);
const revisions: number[] = [];
for (let i = 0; i < Number(count); i++) {
  revisions.push(await store.transact([{ namespace: 'race', object: `${tag}-${i}`, relation: 'writer', subject: { id: tag! } }], []));
}
await store.close();
process.stdout.write(JSON.stringify(revisions));
