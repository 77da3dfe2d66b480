import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckEngine } from '../../src/engine/check-engine.js';
import { DEFAULT_MAX_READ_WIDTH } from '../../src/engine/limits.js';
import { GatehouseError } from '../../src/errors.js';
import { TupleIndex } from '../../src/index/tuple-index.js';
import type { ModelSnapshot } from '../../src/model.js';
import { currentReads, type TupleSource } from '../../src/reader.js';
import { openSqlDriver, openStore } from '../../src/store/open.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import { NIL_NETWORK_ID } from '../../src/store/traverse-order.js';
import type { RelationTuple } from '../../src/tuple.js';
import { SQL_DIALECTS, type TestDatabase } from '../store/databases.js';
import { caseModel, caseTuples, conformanceDir, loadConformanceCases } from '../support/conformance.js';
import { MemoryTupleSource } from '../support/memory-source.js';
import { ns, or, and, computed, permit, related, snapshot, t, traverse } from './hand-models.js';

/**
 * Keto's per-path call budget (1000 steps, every step counted, leaves included; step 1001
 * on one path fails the whole check) and the order in which a traverse walks its rows,
 * which decides whether a cyclic descent uses the budget up before an answer is found.
 * Keto reads a traverse's rows with its listing query, ordered along the full index: by
 * subject-set namespace, the object's UUID (UUIDv5 under the network id), relation. So
 * Keto's own answer to such a check depends on the network id; gatehouse orders by the
 * network id of the store it reads (the index and the test source by the one given).
 *
 * Every source: the in-memory index, the test source (answering synchronously and through
 * Promises), and each SQL dialect's store (SQLite always; PostgreSQL and MySQL when
 * TEST_POSTGRES_DSN / TEST_MYSQL_DSN name a server) in a database kept under that network.
 */

/** A network id under which Keto's traverse order reaches the member first in both repro cases (and in `orderModel`). */
const NETWORK_A = '00000000-0000-0000-0000-000000000001';

/** The repro cases, next to the conformance corpus (`GATEHOUSE_CONFORMANCE_DIR`'s sibling `repro`). */
const reproDir = join(conformanceDir(), '..', 'repro');
const REPRO_FILES = ['call-budget-model-03.json', 'call-budget-model-08.json'];
const reproCases = existsSync(reproDir) ? loadConformanceCases(reproDir)?.filter((c) => REPRO_FILES.includes(c.file)) : undefined;

const budgetExceeded = (err: unknown): boolean =>
  err instanceof GatehouseError && err.kind === 'unprocessable' && err.reason?.includes('too many resolution steps') === true;

type Answer = boolean | 'call budget' | 'max_depth_exceeded';

interface Sources {
  readonly name: string;
  /** A source holding `tuples` under `networkId`. */
  open(tuples: readonly RelationTuple[], networkId: string): Promise<TupleSource>;
  close(): Promise<void>;
}

const inMemory: Sources[] = [
  {
    name: 'in-memory index',
    open: async (tuples, networkId) => {
      const index = new TupleIndex();
      index.networkId = networkId;
      for (const tuple of tuples) index.insert(tuple);
      return index;
    },
    close: async () => undefined,
  },
  { name: 'test source', open: async (tuples, networkId) => new MemoryTupleSource(tuples, { networkId }), close: async () => undefined },
  { name: 'test source (asynchronous)', open: async (tuples, networkId) => new MemoryTupleSource(tuples, { networkId, async: true }), close: async () => undefined },
];

/** A fresh database per source asked for, whose network (the oldest row of `networks`) is `networkId`. */
function sqlSources(dialect: (typeof SQL_DIALECTS)[number]): Sources {
  const opened: { database: TestDatabase; store: RelationTupleStore }[] = [];
  return {
    name: `${dialect.name} store`,
    async open(tuples, networkId) {
      const database = await dialect.database();
      const store = await openStore(database.dsn);
      opened.push({ database, store });
      await store.migrations.up();
      const { driver } = await openSqlDriver(database.dsn);
      try {
        const epoch = driver.dialect.timestamp(new Date(0));
        await driver.execute(driver.dialect.insertIgnoring('networks', ['id', 'created_at', 'updated_at'], ['id'], 1), [networkId, epoch, epoch]);
      } finally {
        await driver.close();
      }
      assert.equal(await store.networkId(), networkId);
      await store.transact(tuples, []);
      return store;
    },
    async close() {
      for (const { database, store } of opened.splice(0)) {
        await store.close();
        await database.drop();
      }
    },
  };
}

async function answer(source: TupleSource, model: ModelSnapshot, tuple: string, maxReadDepth: number, strictMode = false): Promise<Answer> {
  const engine = new CheckEngine({ reads: currentReads(source), model: () => model, settings: () => ({ maxReadDepth, maxReadWidth: DEFAULT_MAX_READ_WIDTH, strictMode }) });
  try {
    return await engine.check(t(tuple), maxReadDepth);
  } catch (err) {
    if (budgetExceeded(err)) return 'call budget';
    if (err instanceof GatehouseError && err.reason === 'max_depth_exceeded') return 'max_depth_exceeded';
    throw err;
  }
}

/**
 * `Folder:top#access@User:u`: `top`'s readers are `loop` (stored first; a reader of itself)
 * and `leaf` (whose reader `leaf2` has the subject as a viewer, so `leaf` grants access);
 * `top` has the subject as a viewer too. The traverse that comes first in `access`
 * descends into the first reader: into `loop` it never finds an answer and the path runs
 * out of budget at step 1001 (level 250, before the depth limit at level 500 for
 * max-depth 1000); into `leaf` it answers within a few steps.
 * Keto stores the objects as UUIDv5 under the network id: under the nil network `loop`
 * (400f8574-…) sorts before `leaf` (4ce88d9f-…), under NETWORK_A `leaf` (3801da0b-…) before
 * `loop` (9f0de949-…).
 */
const orderModel = snapshot([
  ns('User'),
  ns(
    'Folder',
    related('reader', 'Folder'),
    related('viewer', 'User'),
    permit('access', or(and(traverse('reader', 'access'), computed('viewer')), traverse('reader', 'viewer'))),
  ),
]);
const orderTuples = [
  'Folder:top#reader@Folder:loop',
  'Folder:top#reader@Folder:leaf',
  'Folder:top#viewer@User:u',
  'Folder:loop#reader@Folder:loop',
  'Folder:leaf#reader@Folder:leaf2',
  'Folder:leaf2#viewer@User:u',
].map(t);

/** `Group:g0#member` … `Group:g999#member`, each a member of the next, the last of the first. */
const CYCLE = 1000;
const cycleModel = snapshot([ns('User'), ns('Group', related('member', 'User', 'Group#member'))]);
const cycleTuples = Array.from({ length: CYCLE }, (_, i) => t(`Group:g${i}#member@Group:g${(i + 1) % CYCLE}#member`));

for (const sources of [...inMemory, ...SQL_DIALECTS.map((d) => ({ sources: sqlSources(d), skip: d.skip }))].map((s) => ('sources' in s ? s : { sources: s, skip: false as const }))) {
  describe(`call budget and traverse order, ${sources.sources.name}`, { skip: sources.skip }, () => {
    const { open, close } = sources.sources;
    after(() => close());

    it("a traverse walks its rows in Keto's order (by the objects' UUIDs under the network id), not in store order", async () => {
      assert.equal(await answer(await open(orderTuples, NETWORK_A), orderModel, 'Folder:top#access@User:u', 1000), true);
      assert.equal(await answer(await open(orderTuples, NIL_NETWORK_ID), orderModel, 'Folder:top#access@User:u', 1000), 'call budget');
      // Four steps and two depth per level: at max-depth 499 the depth limit cuts the descent at level 249 (step 999),
      // at 500 the path reaches step 1001 (level 250) first.
      assert.equal(await answer(await open(orderTuples, NIL_NETWORK_ID), orderModel, 'Folder:top#access@User:u', 499), true);
      assert.equal(await answer(await open(orderTuples, NIL_NETWORK_ID), orderModel, 'Folder:top#access@User:u', 500), 'call budget');
    });

    it("a 1000-node subject-set cycle, absent subject: the call budget at max-depth 1000, the depth limit at 500 and below", async () => {
      // Two steps per hop (IsAllowed, then its one planned step, the expansion), one depth per hop:
      // at max-depth D the depth limit stops the walk at hop D-1, the budget at step 1001 (hop 500).
      const source = await open(cycleTuples, NIL_NETWORK_ID);
      for (const strict of [false, true]) {
        assert.equal(await answer(source, cycleModel, 'Group:g0#member@User:absent', 1000, strict), 'call budget');
        assert.equal(await answer(source, cycleModel, 'Group:g0#member@User:absent', 501, strict), 'call budget');
        assert.equal(await answer(source, cycleModel, 'Group:g0#member@User:absent', 500, strict), strict ? 'max_depth_exceeded' : false);
      }
      assert.equal(await answer(source, cycleModel, 'Group:g0#member@Group:g500#member', 1000), true);
    });

    describe('the call-budget repro cases', { skip: reproCases === undefined ? `no repro cases at ${reproDir} (set GATEHOUSE_CONFORMANCE_DIR)` : false }, () => {
      before(() => assert.equal(reproCases?.length, REPRO_FILES.length, `${REPRO_FILES.join(', ')} in ${reproDir}`));

      it("answer as Keto does on a network whose traverse order reaches a member before the budget runs out", async () => {
        for (const c of reproCases ?? []) {
          const model = caseModel(c);
          const source = await open(caseTuples(c), NETWORK_A);
          const depth = c.mode?.maxDepth ?? 100;
          for (const check of c.checks) assert.equal(await answer(source, model, check.tuple, depth, c.mode?.strict === true), check.expect, `${c.file}: ${check.tuple}`);
        }
      });
    });
  });
}
