/**
 * The reader suite on the readers that are not a bare SQL store: the in-memory index, the
 * index in front of a store as a process wires it (warm, with namespaces left to the
 * database, not warm yet, warmed up after the writes), and the tests' memory source.
 */
import { LiveIndex } from '../../src/index/live-index.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import { openStore } from '../../src/store/open.js';
import { sqliteFileDatabase } from '../store/databases.js';
import { readerSuite, type ReaderHarness, type ReaderUnderTest } from '../store/reader-suite.js';
import { MemoryTupleSource } from '../support/memory-source.js';

readerSuite(
  'the in-memory index',
  async () => ({
    async fresh(): Promise<ReaderUnderTest> {
      const index = new TupleIndex();
      return {
        async write(insert, remove) {
          for (const t of insert) index.insert(t);
          for (const t of remove) index.delete(t);
          return undefined;
        },
        reader: async () => index,
      };
    },
    close: async () => undefined,
  }),
  { runs: 300 },
);

for (const async of [false, true]) {
  readerSuite(
    `the tests' memory source (${async ? 'asynchronous' : 'synchronous'})`,
    async () => ({
      async fresh(): Promise<ReaderUnderTest> {
        const source = new MemoryTupleSource([], { async });
        return {
          async write(insert, remove) {
            for (const t of insert) source.add(t);
            for (const t of remove) source.delete(t);
            return undefined;
          },
          reader: async () => source,
        };
      },
      close: async () => undefined,
    }),
    { runs: 150 },
  );
}

type Wiring = 'warm' | 'namespaces left to the database' | 'not warm' | 'warmed up after the writes';

/**
 * The index in front of a SQLite store, wired as a process wires it (changelog follower,
 * coverage, freshness gate): written through the process's store, read through a reader
 * opened at the latest revision, whose revision is the follower's once warm.
 */
function liveIndexReaders(wiring: Wiring): () => Promise<ReaderHarness> {
  return async () => {
    const database = sqliteFileDatabase();
    const store = await openStore(database.dsn);
    await store.migrations.up();
    let live: LiveIndex | undefined;
    return {
      async fresh(): Promise<ReaderUnderTest> {
        await live?.close();
        await store.deleteMatching({});
        const index = (live = new LiveIndex({ store, memoryBudgetBytes: 2 ** 30, maxStalenessMs: 0 }));
        if (wiring === 'namespaces left to the database') {
          index.coverage.exclude('doc');
          index.coverage.exclude('𝒜');
        }
        if (wiring === 'warm' || wiring === 'namespaces left to the database') await index.start();
        return {
          write: (insert, remove) => index.store.transact(insert, remove),
          async reader() {
            if (wiring === 'warmed up after the writes') await index.start();
            return index.reads.open({ kind: 'latest' });
          },
          revision: async () => index.reads.revision(),
          networkId: () => store.networkId(),
        };
      },
      async close() {
        await live?.close();
        await store.close();
        await database.drop();
      },
    };
  };
}

for (const wiring of ['warm', 'namespaces left to the database', 'not warm', 'warmed up after the writes'] as const) {
  readerSuite(`the index in front of a SQLite store (${wiring})`, liveIndexReaders(wiring), { runs: 40 });
}
