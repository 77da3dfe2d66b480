import pg from 'pg';
import { tupleToKeto } from '../src/api/keto-json.js';
import type { ModelSnapshot } from '../src/model.js';
import { createSnapshot } from '../src/namespaces/snapshot.js';
import { compileOpl } from '../src/opl/compile.js';
import { openStore } from '../src/store/open.js';
import type { RelationTupleStore } from '../src/store/store.js';
import type { RelationTuple } from '../src/tuple.js';
import { bulkLoad } from './bulk-load.js';

/**
 * A deterministic synthetic data set shaped like an organisation's documents:
 *  - leaf groups hold users              `Group:L3_i#member@user_k`
 *  - middle groups hold 3 leaf groups    `Group:L2_i#member@Group:L3_j#member`
 *  - top groups hold 3 middle groups     `Group:L1_i#member@Group:L2_j#member`
 *  - a document is viewable by a top group `Doc:d_i#viewer@Group:L1_j#member`,
 *    owned by a user                      `Doc:d_i#owner@user_k`,
 *    and sits in a folder                 `Doc:d_i#parent@Folder:f_j`
 *  - a folder bans a user                 `Folder:f_j#banned@user_k`
 * so a document's viewers are found three subject-set hops away and its owner directly.
 */
export interface DatasetShape {
  readonly tuples: number;
  readonly docs: number;
  readonly folders: number;
  readonly users: number;
  readonly top: number;
  readonly usersPerLeaf: number;
}

export const FAN_OUT = 3;

export function shapeFor(tuples: number): DatasetShape {
  const docs = Math.floor(tuples / 5);
  const folders = Math.max(1, Math.floor(docs / 100));
  const top = Math.max(1, Math.floor(tuples / 1000));
  const groupEdges = top * FAN_OUT + top * FAN_OUT * FAN_OUT;
  const leaves = top * FAN_OUT * FAN_OUT;
  const usersPerLeaf = Math.max(1, Math.floor((tuples - 3 * docs - folders - groupEdges) / leaves));
  return { tuples, docs, folders, users: Math.max(10, Math.floor(tuples / 10)), top, usersPerLeaf };
}

const member = (group: string) => ({ namespace: 'Group', object: group, relation: 'member' });

/** Exactly `shape.tuples` tuples (no duplicates), in a fixed order. */
export function* tuplesOf(shape: DatasetShape): Generator<RelationTuple> {
  const rnd = prng(42);
  let left = shape.tuples;
  for (let i = 0; i < shape.top; i++)
    for (let j = 0; j < FAN_OUT; j++) if (left-- > 0) yield { ...member(`L1_${i}`), subject: { set: member(`L2_${i * FAN_OUT + j}`) } };
  for (let i = 0; i < shape.top * FAN_OUT; i++)
    for (let j = 0; j < FAN_OUT; j++) if (left-- > 0) yield { ...member(`L2_${i}`), subject: { set: member(`L3_${i * FAN_OUT + j}`) } };
  const leaves = shape.top * FAN_OUT * FAN_OUT;
  for (let i = 0; i < leaves; i++)
    for (let j = 0; j < shape.usersPerLeaf; j++)
      if (left-- > 0) yield { ...member(`L3_${i}`), subject: { id: `user_${(i * shape.usersPerLeaf + j) % shape.users}` } };
  for (let f = 0; f < shape.folders && left > 0; f++, left--)
    yield { namespace: 'Folder', object: `f_${f}`, relation: 'banned', subject: { id: `user_${rnd(shape.users)}` } };
  for (let i = 0; left > 0; i++) {
    const doc = `d_${i % shape.docs}`;
    const kind = Math.floor(i / shape.docs);
    if (kind === 0) yield { namespace: 'Doc', object: doc, relation: 'viewer', subject: { set: member(`L1_${rnd(shape.top)}`) } };
    else if (kind === 1) yield { namespace: 'Doc', object: doc, relation: 'owner', subject: { id: `user_${rnd(shape.users)}` } };
    else if (kind === 2) yield { namespace: 'Doc', object: doc, relation: 'parent', subject: { set: { namespace: 'Folder', object: `f_${i % shape.folders}`, relation: '' } } };
    else yield { namespace: 'Doc', object: doc, relation: 'owner', subject: { id: `user_${rnd(shape.users)}_${kind}` } };
    left--;
  }
}

/**
 * The model, in OPL: `Doc.view` is a permit with a direct relation, nested groups and a
 * traverse to the parent folder with a negation (every compound part parenthesised:
 * Keto folds `||`/`&&` left to right).
 */
export const DATASET_OPL = `import { Namespace, Context } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Group implements Namespace {
  related: { member: (User | SubjectSet<Group, "member">)[] }
}

class Folder implements Namespace {
  related: { banned: User[] }
  permits = {
    notBanned: (ctx: Context): boolean => !this.related.banned.includes(ctx.subject),
  }
}

class Doc implements Namespace {
  related: {
    viewer: (User | SubjectSet<Group, "member">)[]
    owner: User[]
    parent: Folder[]
  }
  permits = {
    view: (ctx: Context): boolean =>
      this.related.owner.includes(ctx.subject) ||
      (this.related.viewer.includes(ctx.subject) && this.related.parent.traverse((f) => f.permits.notBanned(ctx))),
  }
}
`;

export const datasetModel: ModelSnapshot = (() => {
  const { namespaces, errors } = compileOpl(DATASET_OPL);
  if (errors.length > 0) throw new Error(`the data set's OPL does not compile: ${JSON.stringify(errors)}`);
  return createSnapshot(namespaces, false);
})();

/** A small, fast, deterministic generator of integers in [0, n). */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

/**
 * Writes the generated data set of `tuples` tuples into the migrated database `dsn` through
 * gatehouse's store, 5000 per transaction, loading as bulk-load.ts does, then on PostgreSQL
 * refreshes the planner's statistics, as autovacuum does on a server that runs it (a test
 * server may not).
 */
export async function loadDataset(dsn: string, tuples: number): Promise<void> {
  await bulkLoad(dsn, async (loading) => {
    const store = await openStore(loading);
    await writeDataset(store, tuples).finally(() => store.close());
  });
  if (/^postgres(ql)?:/.test(dsn)) {
    const client = new pg.Client({ connectionString: dsn });
    await client.connect();
    try {
      await client.query('ANALYZE');
    } finally {
      await client.end();
    }
  }
}

/** The generated data set of `tuples` tuples written through the store, 5000 per transaction. */
export async function writeDataset(store: RelationTupleStore, tuples: number): Promise<void> {
  let batch: RelationTuple[] = [];
  for (const t of tuplesOf(shapeFor(tuples))) {
    batch.push(t);
    if (batch.length === 5000) {
      await store.transact(batch, []);
      batch = [];
    }
  }
  if (batch.length > 0) await store.transact(batch, []);
}

/** Writes the generated data set of `tuples` tuples into a running server through its REST write API, 5000 per PATCH. */
export async function seedOverRest(writeUrl: string, tuples: number): Promise<void> {
  let batch: object[] = [];
  const send = async () => {
    const res = await fetch(`${writeUrl}/admin/relation-tuples`, { method: 'PATCH', body: JSON.stringify(batch), headers: { 'content-type': 'application/json' } });
    if (res.status !== 204) throw new Error(`seeding the data set: PATCH answered ${res.status} ${await res.text()}`);
    batch = [];
  };
  for (const t of tuplesOf(shapeFor(tuples))) {
    batch.push({ action: 'insert', relation_tuple: tupleToKeto(t) });
    if (batch.length === 5000) await send();
  }
  if (batch.length > 0) await send();
}
