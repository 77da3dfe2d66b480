/**
 * List objects and list subjects on the synthetic data set (users in nested groups,
 * folders, documents viewable through owners, groups and parent folders):
 *  - in process over the index (N tuples): a user who may view about 1,000 documents, a
 *    document with the most viewers among a sample; against checking every document of the
 *    namespace one by one in process;
 *  - served over REST with the index on (SQLite, N tuples): p50 of whole lookups;
 *  - index off on PostgreSQL (SQL_TUPLES, when TEST_POSTGRES_DSN is set): reads per lookup
 *    (each a query) and p50.
 *
 *   node dist/bench/lookups.js [TUPLES] [SQL_TUPLES]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckEngine } from '../src/engine/check-engine.js';
import { defaultCheckSettings } from '../src/engine/limits.js';
import { everyPage, LookupEngine } from '../src/engine/lookup-engine.js';
import { TupleIndex } from '../src/index/tuple-index.js';
import { currentReads, type TupleSource } from '../src/reader.js';
import { openStore } from '../src/store/open.js';
import { postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { startGatehouseProcess } from '../test/support/server.js';
import { http1Request } from '../test/server/clients.js';
import { DATASET_OPL, datasetModel, loadDataset, shapeFor, tuplesOf } from './dataset.js';
import { printFigure, quantile } from './figure.js';

const tuples = Number(process.argv[2] ?? 1_000_000);
const sqlTuples = Number(process.argv[3] ?? 100_000);
const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const RUNS = 30;

const engines = (source: TupleSource) => {
  const reads = currentReads(source);
  const checks = new CheckEngine({ reads, model: () => datasetModel, settings: () => defaultCheckSettings });
  return { checks, lookups: new LookupEngine({ reads, model: () => datasetModel, checks }) };
};


const viewable = (lookups: LookupEngine, user: string) =>
  everyPage((after) => lookups.listObjects({ namespace: 'Doc', relation: 'view', subject: { id: user }, pageSize: 1000, ...(after === undefined ? {} : { after }) }));
const viewers = (lookups: LookupEngine, doc: string) =>
  everyPage((after) => lookups.listSubjects({ namespace: 'Doc', object: doc, relation: 'view', pageSize: 1000, ...(after === undefined ? {} : { after }) }));

async function timed(run: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b);
}

const p50 = (ms: number[]) => Math.round(quantile(ms, 0.5) * 1000) / 1000;

/** The user whose visible documents come closest to `target`, among a sample, and the document with the most viewers. */
async function pickSubjects(lookups: LookupEngine, users: number, docs: number) {
  let user = { id: 'user_0', count: -1 };
  for (let i = 0; i < 60; i++) {
    const id = `user_${Math.floor((i * users) / 60)}`;
    const count = (await viewable(lookups, id)).length;
    if (Math.abs(count - 1000) < Math.abs(user.count - 1000)) user = { id, count };
  }
  let doc = { id: 'd_0', count: -1 };
  for (let i = 0; i < 60; i++) {
    const id = `d_${Math.floor((i * docs) / 60)}`;
    const count = (await viewers(lookups, id)).length;
    if (count > doc.count) doc = { id, count };
  }
  return { user, doc };
}

// In process, over the index.
const shape = shapeFor(tuples);
const index = new TupleIndex();
for (const t of tuplesOf(shape)) index.insert(t);
index.compact();
const memory = engines(index);
const { user, doc } = await pickSubjects(memory.lookups, shape.users, shape.docs);
const part = `lookups in process, index (${label(tuples)} tuples)`;
const listObjectsMs = await timed(() => viewable(memory.lookups, user.id));
printFigure({ part, name: `list objects, a user who may view ${user.count} documents: p50`, value: p50(listObjectsMs), unit: 'ms' });
const listSubjectsMs = await timed(() => viewers(memory.lookups, doc.id));
printFigure({ part, name: `list subjects, a document with ${doc.count} viewers: p50`, value: p50(listSubjectsMs), unit: 'ms' });
const bruteStart = performance.now();
let allowed = 0;
for (let d = 0; d < shape.docs; d++) if (await memory.checks.check({ namespace: 'Doc', object: `d_${d}`, relation: 'view', subject: { id: user.id } })) allowed++;
const bruteMs = performance.now() - bruteStart;
if (allowed !== user.count) throw new Error(`list objects found ${user.count} documents, checking every one found ${allowed}`);
printFigure({ part, name: `checking every document (${shape.docs}) one by one, the same user`, value: Math.round(bruteMs * 10) / 10, unit: 'ms' });
const ratio = bruteMs / quantile(listObjectsMs, 0.5);
printFigure({ part, name: 'list objects against checking every document', value: Math.round(ratio), unit: '×', target: '≥ 20×', met: ratio >= 20 });

// Served over REST, index on, SQLite.
{
  const db = sqliteFileDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-lookups-'));
  const oplFile = join(dir, 'namespaces.ts');
  writeFileSync(oplFile, DATASET_OPL);
  try {
    const store = await openStore(db.dsn);
    await store.migrations.up();
    await loadDataset(store, db.dsn, tuples);
    await store.close();
    const gh = await startGatehouseProcess({
      config: { dsn: db.dsn, namespaces: { location: pathToFileURL(oplFile).href }, log: { level: 'info', format: 'json' } },
      timeoutMs: 60_000,
    });
    try {
      const warm = () => gh.logs.some((l) => typeof l === 'object' && l !== null && (l as { msg?: string }).msg?.startsWith('index: warm') === true);
      for (const until = Date.now() + 600_000; !warm(); ) {
        if (Date.now() > until) throw new Error('the index did not warm up');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const served = `lookups served over REST, SQLite, index on (${label(tuples)} tuples)`;
      const get = async (path: string) => {
        const res = await http1Request(`${gh.url.read}${path}`);
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body}`);
        return JSON.parse(res.body) as { next_page_token: string };
      };
      const objects = await timed(() => get(`/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=${user.id}&page_size=1000`));
      printFigure({ part: served, name: `list objects, ${user.count} documents: p50`, value: p50(objects), unit: 'ms', target: '≤ 10 ms', met: p50(objects) <= 10 });
      const subjects = await timed(() => get(`/relation-tuples/list-subjects?namespace=Doc&object=${doc.id}&relation=view&page_size=1000`));
      printFigure({ part: served, name: `list subjects, ${doc.count} viewers: p50`, value: p50(subjects), unit: 'ms', target: '≤ 10 ms', met: p50(subjects) <= 10 });
    } finally {
      await gh.stop();
    }
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Index off, PostgreSQL: every read is a query.
if (process.env['TEST_POSTGRES_DSN']) {
  const db: TestDatabase = await postgresDatabase(process.env['TEST_POSTGRES_DSN']);
  try {
    const store = await openStore(db.dsn);
    await store.migrations.up();
    await loadDataset(store, db.dsn, sqlTuples);
    let queries = 0;
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          queries++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as TupleSource;
    const sql = engines(counting);
    const sqlShape = shapeFor(sqlTuples);
    const small = new TupleIndex();
    for (const t of tuplesOf(sqlShape)) small.insert(t);
    const picked = await pickSubjects(engines(small).lookups, sqlShape.users, sqlShape.docs);
    const off = `lookups, PostgreSQL, index off (${label(sqlTuples)} tuples)`;
    for (const [name, run] of [
      [`list objects, a user who may view ${(await viewable(sql.lookups, picked.user.id)).length} documents`, () => viewable(sql.lookups, picked.user.id)],
      [`list subjects, a document with ${(await viewers(sql.lookups, picked.doc.id)).length} viewers`, () => viewers(sql.lookups, picked.doc.id)],
    ] as const) {
      queries = 0;
      await run();
      printFigure({ part: off, name: `${name}: queries`, value: queries, unit: 'queries' });
      printFigure({ part: off, name: `${name}: p50`, value: p50(await timed(run, 10)), unit: 'ms' });
    }
    await store.close();
  } finally {
    await db.drop();
  }
}
