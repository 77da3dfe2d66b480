/**
 * A process that writes 1000-tuple transactions to a store until it is killed:
 * `node sqlite-writer.js DSN TAG` prints "writing" once the store is open, then commits
 * transaction after transaction (each its own objects) and never stops by itself.
 */
import { openStore } from '../../../src/store/open.js';

const [dsn, tag] = process.argv.slice(2);
const store = await openStore(dsn!);
process.stdout.write('writing\n');
for (let i = 0; ; i++) {
  await store.transact(
    Array.from({ length: 1000 }, (_, n) => ({ namespace: 'files', object: `${tag}-${i}-${n}`, relation: 'view', subject: { id: `user-${n % 50}` } })),
    [],
  );
}
