/**
 * List objects and list subjects on the synthetic data set (users in nested groups,
 * folders, documents viewable through owners, groups and parent folders), with a user who
 * may view about 1,000 documents and a document given about 1,000 viewers:
 *  - in process over the index (N tuples): p50 of whole lookups, against checking every
 *    document of the namespace one by one in process (target ≥ 20×);
 *  - served over REST with the index on (SQLite, N tuples), on a kept-alive connection
 *    after a warm-up, the access log off: p50 of whole lookups (target ≤ 10 ms);
 *  - index off on PostgreSQL (SQL_TUPLES, when TEST_POSTGRES_DSN is set): queries per
 *    page (each read is a query) and p50;
 *  - on the same PostgreSQL data, index on: a 3-hop check carrying a snaptoken the process
 *    has already seen (default freshness) against the same check under bounded staleness
 *    (100 ms), c = 1, 10 and 64, in alternating runs of DURATION_MS (target: cost ≤ 5 %).
 *
 *   node dist/bench/lookups.js [TUPLES] [SQL_TUPLES] [DURATION_MS]
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckEngine } from '../src/engine/check-engine.js';
import { defaultCheckSettings } from '../src/engine/limits.js';
import { everyPage, LookupEngine } from '../src/engine/lookup-engine.js';
import { TupleIndex } from '../src/index/tuple-index.js';
import { currentReads, type TupleSource } from '../src/reader.js';
import { openStore } from '../src/store/open.js';
import type { RelationTuple } from '../src/tuple.js';
import { postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { sampleChecks } from './check-samples.js';
import { restCheckPath } from './check-wire.js';
import { DATASET_OPL, datasetModel, loadDataset, shapeFor, tuplesOf } from './dataset.js';
import { printFigure, quantile } from './figure.js';
import { runLoad, startServer } from './served-process.js';

const tuples = Number(process.argv[2] ?? 1_000_000);
const sqlTuples = Number(process.argv[3] ?? 100_000);
const durationMs = Number(process.argv[4] ?? 2000);
const label = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const RUNS = 30;
const WARM_UP = 10;
const PAGE_SIZE = 1000;
/** Rounds of the freshness comparison, alternating between the two servers. */
const ROUNDS = 3;

const engines = (source: TupleSource) => {
  const reads = currentReads(source);
  const checks = new CheckEngine({ reads, model: () => datasetModel, settings: () => defaultCheckSettings });
  return { checks, lookups: new LookupEngine({ reads, model: () => datasetModel, checks }) };
};

/** Every page of a lookup, and how many pages it took. */
async function pages<T>(list: (after: string | undefined) => Promise<{ items: T[]; last?: string }>): Promise<{ items: T[]; pages: number }> {
  let count = 0;
  const items = await everyPage((after) => (count++, list(after)));
  return { items, pages: count };
}
const viewable = (lookups: LookupEngine, user: string) =>
  pages((after) => lookups.listObjects({ namespace: 'Doc', relation: 'view', subject: { id: user }, pageSize: PAGE_SIZE, ...(after === undefined ? {} : { after }) }));
const viewers = (lookups: LookupEngine, doc: string) =>
  pages((after) => lookups.listSubjects({ namespace: 'Doc', object: doc, relation: 'view', pageSize: PAGE_SIZE, ...(after === undefined ? {} : { after }) }));

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
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const topGroup = (i: number) => ({ set: { namespace: 'Group', object: `L1_${i}`, relation: 'member' } });

/**
 * The user whose visible documents come closest to 1,000, among a sample; and a document
 * (the one with the most viewers in a sample) with top groups added as viewers until it
 * has 1,000 at least: the tuples added are returned, already in `index`.
 */
async function pickSubjects(index: TupleIndex, users: number, docs: number, top: number) {
  const { lookups } = engines(index);
  let user = { id: 'user_0', count: -1 };
  for (let i = 0; i < 60; i++) {
    const id = `user_${Math.floor((i * users) / 60)}`;
    const count = (await viewable(lookups, id)).items.length;
    if (Math.abs(count - 1000) < Math.abs(user.count - 1000)) user = { id, count };
  }
  let doc = { id: 'd_0', count: -1 };
  for (let i = 0; i < 60; i++) {
    const id = `d_${Math.floor((i * docs) / 60)}`;
    const count = (await viewers(lookups, id)).items.length;
    if (count > doc.count) doc = { id, count };
  }
  const added: RelationTuple[] = [];
  for (let g = 0; doc.count < 1000 && g < top; g++) {
    const t: RelationTuple = { namespace: 'Doc', object: doc.id, relation: 'viewer', subject: topGroup(g) };
    if (index.hasSubject([t], t.subject)[0]) continue;
    index.insert(t);
    added.push(t);
    doc = { id: doc.id, count: (await viewers(lookups, doc.id)).items.length };
  }
  user = { id: user.id, count: (await viewable(lookups, user.id)).items.length };
  return { user, doc, added };
}

/** GETs on one kept-alive connection, as an application's client sends them. */
function keptAlive(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.get(`${base}${path}`, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
      });
      req.on('error', reject);
    });
  return { get, close: () => agent.destroy() };
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-lookups-'));
const oplFile = join(dir, 'namespaces.ts');
writeFileSync(oplFile, DATASET_OPL);
try {
  // In process, over the index.
  const shape = shapeFor(tuples);
  const index = new TupleIndex();
  for (const t of tuplesOf(shape)) index.insert(t);
  index.compact();
  const { user, doc, added } = await pickSubjects(index, shape.users, shape.docs, shape.top);
  const memory = engines(index);
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
    try {
      const store = await openStore(db.dsn);
      await store.migrations.up();
      await loadDataset(db.dsn, tuples);
      await store.transact(added, []);
      await store.close();
      const gh = await startServer(db.dsn, oplFile, { enabled: true, max_staleness: '0s' });
      const client = keptAlive(gh.url.read);
      try {
        const served = `lookups served over REST, SQLite, index on (${label(tuples)} tuples)`;
        for (const [name, path, count] of [
          ['list objects', `/relation-tuples/list-objects?namespace=Doc&relation=view&subject_id=${user.id}&page_size=${PAGE_SIZE}`, `${user.count} documents`],
          ['list subjects', `/relation-tuples/list-subjects?namespace=Doc&object=${doc.id}&relation=view&page_size=${PAGE_SIZE}`, `${doc.count} viewers`],
        ] as const) {
          await timed(() => client.get(path), WARM_UP);
          const ms = await timed(() => client.get(path));
          printFigure({ part: served, name: `${name}, ${count}: p50`, value: p50(ms), unit: 'ms', target: '≤ 10 ms', met: p50(ms) <= 10 });
        }
      } finally {
        client.close();
        await gh.stop();
      }
    } finally {
      await db.drop();
    }
  }

  if (process.env['TEST_POSTGRES_DSN']) await onPostgres(process.env['TEST_POSTGRES_DSN']);
  else process.stderr.write('TEST_POSTGRES_DSN is not set: lookups and checks over PostgreSQL were not measured\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function onPostgres(adminDsn: string): Promise<void> {
  const db: TestDatabase = await postgresDatabase(adminDsn);
  try {
    const store = await openStore(db.dsn);
    await store.migrations.up();
    await loadDataset(db.dsn, sqlTuples);
    const sqlShape = shapeFor(sqlTuples);
    const small = new TupleIndex();
    for (const t of tuplesOf(sqlShape)) small.insert(t);
    const picked = await pickSubjects(small, sqlShape.users, sqlShape.docs, sqlShape.top);
    await store.transact(picked.added, []);

    // Index off: every read is a query.
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
    const off = `lookups, PostgreSQL, index off (${label(sqlTuples)} tuples)`;
    for (const [name, run] of [
      ['list objects', () => viewable(sql.lookups, picked.user.id)],
      ['list subjects', () => viewers(sql.lookups, picked.doc.id)],
    ] as const) {
      queries = 0;
      const walked = await run();
      const what = name === 'list objects' ? `a user who may view ${walked.items.length} documents` : `a document with ${walked.items.length} viewers`;
      printFigure({ part: off, name: `${name}, ${what}: queries per page (${walked.pages} page${walked.pages === 1 ? '' : 's'} of ≤ ${PAGE_SIZE})`, value: queries / walked.pages, unit: 'queries' });
      printFigure({ part: off, name: `${name}, ${what}: p50`, value: p50(await timed(run, 10)), unit: 'ms' });
    }
    await store.close();
    await freshnessCost(db.dsn, sampleChecks(small, sqlShape, 200).threeHop);
  } finally {
    await db.drop();
  }
}

/**
 * A check with a snaptoken its process has already seen (default freshness: the token
 * spares the head probe) against the same check under bounded staleness, each on its
 * own warm server over the same PostgreSQL database.
 */
async function freshnessCost(dsn: string, checks: RelationTuple[]): Promise<void> {
  const strict = await startServer(dsn, oplFile, { enabled: true, max_staleness: '0s' });
  try {
    const bounded = await startServer(dsn, oplFile, { enabled: true, max_staleness: '100ms' });
    try {
      const put = await fetch(`${strict.url.write}/admin/relation-tuples`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ namespace: 'Folder', object: 'bench', relation: 'banned', subject_id: 'nobody' }),
      });
      const token = put.headers.get('gatehouse-snaptoken');
      if (put.status !== 201 || token === null) throw new Error(`the write gave ${put.status} and no snaptoken`);
      const withToken = checks.map((t) => `${restCheckPath(t)}&snaptoken=${encodeURIComponent(token)}`);
      const plain = checks.map(restCheckPath);
      const part = `checks, PostgreSQL, index on (${label(sqlTuples)} tuples)`;
      // Untimed: each server compiles its path (the token's included) before the rounds compare them.
      await runLoad('http', strict.ports.read, withToken, 1, durationMs);
      await runLoad('http', bounded.ports.read, plain, 1, durationMs);
      for (const c of [1, 10, 64]) {
        const runs = { token: [] as { perSecond: number; p50Ms: number }[], bounded: [] as { perSecond: number; p50Ms: number }[] };
        for (let round = 0; round < ROUNDS; round++) {
          const order = round % 2 === 0 ? (['token', 'bounded'] as const) : (['bounded', 'token'] as const);
          for (const side of order) {
            runs[side].push(await (side === 'token' ? runLoad('http', strict.ports.read, withToken, c, durationMs) : runLoad('http', bounded.ports.read, plain, c, durationMs)));
          }
        }
        const tokenP50 = median(runs.token.map((r) => r.p50Ms));
        const boundedP50 = median(runs.bounded.map((r) => r.p50Ms));
        printFigure({ part, name: `REST 3-hop check with a snaptoken the process has seen, c=${c}: p50 (median of ${ROUNDS} runs)`, value: Math.round(tokenP50 * 1000) / 1000, unit: 'ms' });
        printFigure({ part, name: `REST 3-hop check under bounded staleness 100ms, c=${c}: p50 (median of ${ROUNDS} runs)`, value: Math.round(boundedP50 * 1000) / 1000, unit: 'ms' });
        const cost = 1 - median(runs.token.map((r) => r.perSecond)) / median(runs.bounded.map((r) => r.perSecond));
        printFigure({
          part,
          name: `cost of a seen snaptoken against bounded staleness (throughput, medians of ${ROUNDS} alternating runs), c=${c}`,
          value: Math.round(cost * 1000) / 10,
          unit: '%',
          target: '≤ 5 %',
          met: cost <= 0.05,
        });
      }
    } finally {
      await bounded.stop();
    }
  } finally {
    await strict.stop();
  }
}
