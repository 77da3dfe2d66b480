/**
 * The store suite every dialect passes: one function, run by a test file per dialect
 * against a database made for that run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, test } from 'node:test';
import { GatehouseError } from '../../src/errors.js';
import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import { openSqlDriver, openStore } from '../../src/store/open.js';
import type { SqlDriver } from '../../src/store/sql/driver.js';
import { SqlRelationTupleStore } from '../../src/store/sql/sql-store.js';
import type { RelationTupleStore } from '../../src/store/store.js';
import type { ObjectRelation, RelationQuery, RelationTuple, Subject } from '../../src/tuple.js';
import { uuidV5 } from '../../src/store/uuid.js';
import type { TestDatabase } from './databases.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const run = promisify(execFile);

const id = (subject: string): Subject => ({ id: subject });
const set = (namespace: string, object: string, relation: string): Subject => ({ set: { namespace, object, relation } });
const tuple = (namespace: string, object: string, relation: string, subject: Subject): RelationTuple => ({
  namespace,
  object,
  relation,
  subject,
});

const text = (t: RelationTuple): string =>
  JSON.stringify([t.namespace, t.object, t.relation, 'id' in t.subject ? ['id', t.subject.id] : ['set', t.subject.set]]);
const sorted = (tuples: readonly RelationTuple[]): string[] => tuples.map(text).sort();

function matches(t: RelationTuple, q: RelationQuery): boolean {
  if (q.namespace !== undefined && t.namespace !== q.namespace) return false;
  if (q.object !== undefined && t.object !== q.object) return false;
  if (q.relation !== undefined && t.relation !== q.relation) return false;
  if (q.subject !== undefined && JSON.stringify(q.subject) !== JSON.stringify(t.subject)) return false;
  return true;
}

async function listAll(store: RelationTupleStore, query: RelationQuery, size = 100): Promise<RelationTuple[]> {
  const out: RelationTuple[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(query, { size, token });
    out.push(...page.tuples);
    token = page.nextPageToken === '' ? undefined : page.nextPageToken;
  } while (token !== undefined);
  return out;
}

/** A deterministic generator of integers below `n`. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

const rejectsWith = (kind: string) => (error: unknown) => error instanceof GatehouseError && error.kind === kind;

/** A driver whose transactions fail at the first DELETE, after the inserts ran. */
function failingOnDelete(driver: SqlDriver): SqlDriver {
  return {
    dialect: driver.dialect,
    query: (sql, params) => driver.query(sql, params),
    queryArrays: (sql, params) => driver.queryArrays(sql, params),
    execute: (sql, params) => driver.execute(sql, params),
    close: () => driver.close(),
    transaction: (work) =>
      driver.transaction((tx) =>
        work({
          query: (sql, params) => tx.query(sql, params),
          queryArrays: (sql, params) => tx.queryArrays(sql, params),
          execute: (sql, params) => {
            if (sql.startsWith('DELETE')) throw new Error('injected failure');
            return tx.execute(sql, params);
          },
        }),
      ),
  };
}

export function storeSuite(dialect: string, makeDatabase: () => Promise<TestDatabase>): void {
  describe(`relationship store on ${dialect}`, () => {
    let database: TestDatabase;
    let store: RelationTupleStore;

    before(async () => {
      database = await makeDatabase();
      store = await openStore(database.dsn);
      await store.migrations.up();
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      await store.deleteMatching({});
    });

    test('migrations: everything applied, a second up is a no-op, down and up again', async () => {
      const status = await store.migrations.status();
      assert.deepEqual(
        status.map((s) => s.state),
        ['applied', 'applied', 'applied', 'applied', 'applied', 'applied'],
      );
      assert.deepEqual(await store.migrations.up(), []);
      assert.deepEqual(await store.migrations.down(3), ['20261204000001000000', '20261201000002000000', '20261201000001000000']);
      assert.deepEqual(
        (await store.migrations.status()).map((s) => s.state),
        ['applied', 'applied', 'applied', 'pending', 'pending', 'pending'],
      );
      assert.deepEqual(await store.migrations.up(), ['20261201000001000000', '20261201000002000000', '20261204000001000000']);
    });

    test('migrations: a step killed after its schema changes and before its record runs again cleanly, up and down', async () => {
      // A database of its own: reverting gatehouse's first step drops what the shared store holds open.
      const own = await makeDatabase();
      const migrated = await openStore(own.dsn);
      const { driver } = await openSqlDriver(own.dsn);
      try {
        await migrated.migrations.up();
        const versions = (await migrated.migrations.status()).slice(1).map((s) => s.version);
        for (const version of versions) {
          await driver.execute('DELETE FROM gatehouse_migrations WHERE version = ?', [version]);
          assert.deepEqual(await migrated.migrations.up(), [version]);
        }
        for (const version of [...versions].reverse()) {
          assert.deepEqual(await migrated.migrations.down(1), [version]);
          await driver.execute('INSERT INTO gatehouse_migrations (version) VALUES (?)', [version]);
          assert.deepEqual(await migrated.migrations.down(1), [version]);
        }
        assert.deepEqual(await migrated.migrations.up(), versions);
      } finally {
        await driver.close();
        await migrated.close();
        await own.drop();
      }
    });

    test('create, read, delete', async () => {
      const t = tuple('files', 'readme', 'viewer', id('alice'));
      const revision = await store.transact([t], []);
      assert.deepEqual((await store.list({ namespace: 'files' })).tuples, [t]);
      assert.ok(revision > 0);
      await store.transact([], [t]);
      assert.deepEqual((await store.list({ namespace: 'files' })).tuples, []);
    });

    test('every filter combination returns exactly the matching tuples', async () => {
      const seed: RelationTuple[] = [];
      for (const ns of ['docs', 'groups'])
        for (const obj of ['a', 'b'])
          for (const rel of ['owner', 'viewer'])
            seed.push(
              tuple(ns, obj, rel, id('alice')),
              tuple(ns, obj, rel, id('bob')),
              tuple(ns, obj, rel, set('groups', 'a', 'member')),
              tuple(ns, obj, rel, set('groups', 'b', '')),
            );
      await store.transact(seed, []);
      const probe = tuple('groups', 'b', 'viewer', set('groups', 'a', 'member'));
      const probes: Subject[] = [id('alice'), set('groups', 'a', 'member'), set('groups', 'b', ''), id('nobody')];
      for (let mask = 0; mask < 16; mask++) {
        for (const subject of probes) {
          const query: RelationQuery = {
            ...(mask & 1 ? { namespace: probe.namespace } : {}),
            ...(mask & 2 ? { object: probe.object } : {}),
            ...(mask & 4 ? { relation: probe.relation } : {}),
            ...(mask & 8 ? { subject } : {}),
          };
          assert.deepEqual(sorted(await listAll(store, query, 7)), sorted(seed.filter((t) => matches(t, query))), JSON.stringify(query));
        }
      }
    });

    test('property: a paged walk under random filters and page sizes equals the filtered full set', async () => {
      const next = seeded(20261204);
      const pick = <T>(items: readonly T[]): T => items[next(items.length)]!;
      const namespaces = ['docs', 'groups', 'Docs'];
      const objects = ['a', 'b', 'c', ''];
      const relations = ['owner', 'viewer', 'member', 'viewer '];
      const subjects: Subject[] = [id('alice'), id('bob'), id(''), set('groups', 'a', 'member'), set('groups', 'b', ''), set('docs', 'a', 'owner')];
      const seed = Array.from({ length: 400 }, () => tuple(pick(namespaces), pick(objects), pick(relations), pick(subjects)));
      await store.transact(seed, []);
      for (let run = 0; run < 60; run++) {
        const mask = next(16);
        const query: RelationQuery = {
          ...(mask & 1 ? { namespace: pick(namespaces) } : {}),
          ...(mask & 2 ? { object: pick(objects) } : {}),
          ...(mask & 4 ? { relation: pick(relations) } : {}),
          ...(mask & 8 ? { subject: pick(subjects) } : {}),
        };
        const size = 1 + next(40);
        assert.deepEqual(sorted(await listAll(store, query, size)), sorted(seed.filter((t) => matches(t, query))), JSON.stringify({ query, size }));
      }
    });

    test('pagination over thousands of tuples with concurrent inserts skips and repeats nothing', async () => {
      const seed = Array.from({ length: 2500 }, (_, i) => tuple('pages', `o${i}`, 'viewer', id(`u${i % 37}`)));
      await store.transact(seed, []);
      const seen: RelationTuple[] = [];
      let token: string | undefined;
      let round = 0;
      do {
        const page = await store.list({ namespace: 'pages' }, { size: 97, token });
        seen.push(...page.tuples);
        token = page.nextPageToken === '' ? undefined : page.nextPageToken;
        await store.transact([tuple('pages', `late${round++}`, 'viewer', id('late'))], []);
      } while (token !== undefined);
      const original = seen.filter((t) => !t.object.startsWith('late'));
      assert.deepEqual(sorted(original), sorted(seed));
      assert.equal(new Set(seen.map(text)).size, seen.length);
    });

    test('walk: every tuple once in store order, pages of the size asked, stopping when told', async () => {
      const seed = Array.from({ length: 1234 }, (_, i) =>
        i % 3 === 0 ? tuple('walk', `o${i % 500}`, 'parent', set('walk', `g${i % 7}`, i % 2 ? 'member' : '')) : tuple('walk', `o${i}`, 'viewer', id(`u${i % 41}`)),
      );
      await store.transact(seed.slice(0, 600), []);
      await store.transact([...seed.slice(600), seed[0]!, seed[1]!], []);
      const pages: RelationTuple[][] = [];
      await store.walk(100, (tuples) => pages.push(tuples) > 0);
      assert.deepEqual(
        pages.map((page) => page.length),
        [...Array.from({ length: 12 }, () => 100), 36],
      );
      assert.deepEqual(pages.flat(), await listAll(store, {}, 250));
      assert.deepEqual(sorted(pages.flat()), sorted([...seed, seed[0]!, seed[1]!]));

      const stopped: RelationTuple[][] = [];
      await store.walk(500, (tuples) => stopped.push(tuples) < 2);
      assert.deepEqual(stopped, [pages.flat().slice(0, 500), pages.flat().slice(500, 1000)]);
      assert.equal((await store.list({}, { size: 1 })).tuples.length, 1);
    });

    test('walk: other work runs between pages, and rows written meanwhile do not prolong it', async () => {
      await store.transact(Array.from({ length: 300 }, (_, i) => tuple('turns', `o${i}`, 'viewer', id('u'))), []);
      let turns = 0;
      const ticking = setInterval(() => turns++, 0);
      const seen: number[] = [];
      const writes: Promise<unknown>[] = [];
      try {
        await store.walk(50, (tuples) => {
          seen.push(turns);
          // Shard ids are time-ordered: each of these lands after the last row the walk began with.
          writes.push(store.transact([tuple('turns', `late${seen.length}`, 'viewer', id('u'))], []));
          return tuples.length > 0;
        });
        await Promise.all(writes);
      } finally {
        clearInterval(ticking);
      }
      assert.equal(seen.length, 6);
      // PostgreSQL's walk is one COPY read off the network: other work runs between its reads, not its pages.
      if (dialect !== 'PostgreSQL') assert.ok(seen[5]! > seen[0]!, 'a timer fired while the walk went on');
    });

    test('walk: strings of any length and script read back as written', async () => {
      const long = 'ö'.repeat(3000);
      const seed = [
        tuple('wälk', 'объект', 'rél', id('用户')),
        tuple('wälk', long, 'rél', set('wälk', '😀', '')),
        tuple('walk2', 'o', 'r', set('wälk', long, 'méмber')),
        tuple('walk2', 'o', 'r', id('')),
        tuple('wälk', 'объект', 'r', id(long)),
      ];
      await store.transact(seed, []);
      const walked: RelationTuple[] = [];
      await store.walk(2, (tuples) => walked.push(...tuples) > 0);
      assert.deepEqual(walked, await listAll(store, {}, 250));
      assert.deepEqual(sorted(walked), sorted(seed));
    });

    test('page size and page tokens: last page has no token; forged, flipped and foreign tokens are refused', async () => {
      await store.transact(Array.from({ length: 5 }, (_, i) => tuple('tok', `o${i}`, 'r', id('x'))), []);
      const first = await store.list({ namespace: 'tok' }, { size: 2 });
      assert.equal(first.tuples.length, 2);
      assert.notEqual(first.nextPageToken, '');
      const token = first.nextPageToken;
      const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
      for (const bad of [flipped, 'garbage', `${token}x`, token.split('.')[0] + '.' + 'A'.repeat(43), "1' OR '1'='1"]) {
        await assert.rejects(store.list({ namespace: 'tok' }, { size: 2, token: bad }), rejectsWith('invalid_argument'), bad);
      }
      await assert.rejects(store.list({ namespace: 'other' }, { size: 2, token }), rejectsWith('invalid_argument'));
      const again = await openStore(database.dsn);
      try {
        assert.equal((await again.list({ namespace: 'tok' }, { size: 10, token })).tuples.length, 3);
      } finally {
        await again.close();
      }
      const last = await store.list({ namespace: 'tok' }, { size: 5 });
      assert.equal(last.nextPageToken, '');
    });

    test('a configured pagination secret signs tokens, and rotation keeps old ones valid', async () => {
      await store.transact(Array.from({ length: 3 }, (_, i) => tuple('sec', `o${i}`, 'r', id('x'))), []);
      const old = await openStore(database.dsn, { paginationSecrets: ['first-secret'] });
      const rotated = await openStore(database.dsn, { paginationSecrets: ['second-secret', 'first-secret'] });
      try {
        const token = (await old.list({ namespace: 'sec' }, { size: 1 })).nextPageToken;
        assert.equal((await rotated.list({ namespace: 'sec' }, { size: 5, token })).tuples.length, 2);
        await assert.rejects(store.list({ namespace: 'sec' }, { size: 5, token }), rejectsWith('invalid_argument'));
        let live: string[] = ['first-secret'];
        const reloading = await openStore(database.dsn, { paginationSecrets: () => live });
        try {
          const first = (await reloading.list({ namespace: 'sec' }, { size: 1 })).nextPageToken;
          live = ['third-secret'];
          await assert.rejects(reloading.list({ namespace: 'sec' }, { size: 5, token: first }), rejectsWith('invalid_argument'));
          live = ['third-secret', 'first-secret'];
          assert.equal((await reloading.list({ namespace: 'sec' }, { size: 5, token: first })).tuples.length, 2);
        } finally {
          await reloading.close();
        }
      } finally {
        await old.close();
        await rotated.close();
      }
    });

    test('a transaction that fails writes nothing', async () => {
      const before = await store.headRevision();
      const valid = Array.from({ length: 1000 }, (_, i) => tuple('atomic', `o${i}`, 'r', id('x')));
      await assert.rejects(store.transact([...valid, tuple('atomic', 'bad', 'r'.repeat(65), id('x'))], []), rejectsWith('invalid_argument'));
      const { driver, schema } = await openSqlDriver(database.dsn);
      const faulty = new SqlRelationTupleStore(failingOnDelete(driver), new SqlMigrator(driver, schema));
      try {
        await assert.rejects(faulty.transact(valid, [valid[0]!]));
      } finally {
        await faulty.close();
      }
      assert.deepEqual((await store.list({ namespace: 'atomic' })).tuples, []);
      assert.equal(await store.headRevision(), before);
    });

    test('unicode, very long strings and the length limits', async () => {
      const long = 'ü🙂'.repeat(5000);
      const tuples = [
        tuple('ünïcødé', long, 'rél', id(`${long}-subject`)),
        tuple('名前空間', '対象', '関係', set('ñs', long, 'rèl')),
        tuple('n'.repeat(200), 'o', 'r'.repeat(64), set('s'.repeat(200), '', 'q'.repeat(64))),
        tuple('e', '', 'r', id('')),
      ];
      await store.transact(tuples, []);
      assert.deepEqual(sorted(await listAll(store, {})), sorted(tuples));
      for (const bad of [
        tuple('n'.repeat(201), 'o', 'r', id('x')),
        tuple('n', 'o', 'r'.repeat(65), id('x')),
        tuple('n', 'o', 'r', set('s'.repeat(201), 'o', 'r')),
        tuple('n', 'o\u0000', 'r', id('x')),
        tuple('n', 'o', 'r', id('\uD800')),
      ]) {
        await assert.rejects(store.transact([bad], []), rejectsWith('invalid_argument'));
      }
      await assert.rejects(store.list({ namespace: 'n'.repeat(201) }), rejectsWith('invalid_argument'));
    });

    test('SQL metacharacters in every field are stored and matched verbatim', async () => {
      const nasty = ["'; DROP TABLE keto_relation_tuples; --", '"quoted"', 'back\\slash', '100%_like', '? $1 :name', '`tick`', "O'Reilly"];
      const tuples = nasty.map((s, i) => tuple(s, s, s.slice(0, 64), i % 2 === 0 ? id(s) : set(s, s, s.slice(0, 64))));
      await store.transact(tuples, []);
      for (const t of tuples) {
        assert.deepEqual((await store.list({ namespace: t.namespace, object: t.object, relation: t.relation, subject: t.subject })).tuples, [t]);
      }
      assert.deepEqual((await store.list({ namespace: '100%' })).tuples, []);
      assert.deepEqual((await store.list({ namespace: '_00%_like' })).tuples, []);
      await store.deleteMatching({ namespace: nasty[0] });
      assert.equal((await listAll(store, {})).length, tuples.length - 1);
    });

    test('identifiers are case-sensitive everywhere', async () => {
      const tuples = [
        tuple('Group', 'Obj', 'Member', id('Alice')),
        tuple('group', 'obj', 'member', id('alice')),
        tuple('group', 'obj', 'member', set('Team', 'X', 'Rel')),
        tuple('group', 'obj', 'member', set('team', 'x', 'rel')),
      ];
      await store.transact(tuples, []);
      assert.deepEqual((await store.list({ namespace: 'Group' })).tuples, [tuples[0]]);
      assert.deepEqual((await store.list({ namespace: 'group', relation: 'Member' })).tuples, []);
      assert.deepEqual((await store.list({ object: 'Obj' })).tuples, [tuples[0]]);
      assert.deepEqual((await store.list({ subject: id('alice') })).tuples, [tuples[1]]);
      assert.deepEqual((await store.list({ subject: set('Team', 'X', 'Rel') })).tuples, [tuples[2]]);
      assert.deepEqual((await store.list({ subject: set('team', 'X', 'Rel') })).tuples, []);
      assert.deepEqual(await store.hasSubject([{ namespace: 'group', object: 'Obj', relation: 'Member' }, { namespace: 'Group', object: 'Obj', relation: 'Member' }], id('Alice')), [false, true]);
      await store.transact([], [tuple('GROUP', 'obj', 'member', id('alice'))]);
      assert.equal((await listAll(store, {})).length, 4);
    });

    test('a trailing space makes a different identifier (MySQL collations pad with spaces)', async () => {
      const tuples = [
        tuple('group', 'obj', 'member', id('alice')),
        tuple('group ', 'obj ', 'member ', id('alice ')),
        tuple('group', 'obj', 'member', set('team', 'x', 'rel')),
        tuple('group', 'obj', 'member', set('team ', 'x', 'rel ')),
      ];
      await store.transact(tuples, []);
      assert.deepEqual((await store.list({ namespace: 'group' })).tuples, [tuples[0], tuples[2], tuples[3]]);
      assert.deepEqual((await store.list({ relation: 'member ' })).tuples, [tuples[1]]);
      assert.deepEqual((await store.list({ subject: id('alice') })).tuples, [tuples[0]]);
      assert.deepEqual((await store.list({ subject: set('team', 'x', 'rel') })).tuples, [tuples[2]]);
      assert.deepEqual(await store.hasSubject([{ namespace: 'group', object: 'obj', relation: 'member' }], set('team ', 'x', 'rel')), [false]);
      await store.transact([], [tuple('group', 'obj', 'member', set('team', 'x', 'rel'))]);
      assert.deepEqual((await store.list({ namespace: 'group' })).tuples, [tuples[0], tuples[3]]);
    });

    test('duplicates are kept as Keto keeps them, and one delete removes them all', async () => {
      const t = tuple('dup', 'o', 'r', id('x'));
      await store.transact([t, t], []);
      await store.transact([t], []);
      assert.equal((await store.list({ namespace: 'dup' })).tuples.length, 3);
      await store.transact([], [t]);
      assert.deepEqual((await store.list({ namespace: 'dup' })).tuples, []);
    });

    test('inserts apply before deletes in one transaction', async () => {
      const a = tuple('order', 'o', 'r', id('a'));
      const b = tuple('order', 'o', 'r', id('b'));
      await store.transact([a, b], [a]);
      assert.deepEqual((await store.list({ namespace: 'order' })).tuples, [b]);
    });

    test('tuple source: hasSubject, subjectSets and subjects answer per key, in store order, within limits', async () => {
      await store.transact(
        [
          tuple('doc', '1', 'viewer', id('alice')),
          tuple('doc', '1', 'viewer', set('group', 'eng', 'member')),
          tuple('doc', '1', 'viewer', set('group', 'ops', 'member')),
          tuple('doc', '1', 'viewer', set('group', 'all', '')),
          tuple('doc', '2', 'viewer', set('group', 'eng', 'member')),
          tuple('doc', '2', 'owner', id('bob')),
          tuple('folder', '1', 'viewer', set('group', 'eng', 'member')),
        ],
        [],
      );
      const keys = [
        { namespace: 'doc', object: '1', relation: 'viewer' },
        { namespace: 'doc', object: '2', relation: 'viewer' },
        { namespace: 'doc', object: '2', relation: 'owner' },
        { namespace: 'folder', object: '1', relation: 'viewer' },
        { namespace: 'doc', object: '3', relation: 'viewer' },
      ];
      assert.deepEqual(await store.hasSubject(keys, id('alice')), [true, false, false, false, false]);
      assert.deepEqual(await store.hasSubject(keys, set('group', 'eng', 'member')), [true, true, false, true, false]);
      assert.deepEqual(await store.hasSubject([], id('alice')), []);
      assert.deepEqual(await store.subjectSets(keys, 2), [
        [
          { namespace: 'group', object: 'eng', relation: 'member' },
          { namespace: 'group', object: 'ops', relation: 'member' },
        ],
        [{ namespace: 'group', object: 'eng', relation: 'member' }],
        [],
        [{ namespace: 'group', object: 'eng', relation: 'member' }],
        [],
      ]);
      assert.equal((await store.subjectSets(keys, 10))[0]!.length, 3);
      assert.deepEqual(await store.subjects([keys[0]!], 2), [[id('alice'), set('group', 'eng', 'member')]]);
      assert.equal((await store.subjects([keys[0]!], 100))[0]!.length, 4);
      assert.deepEqual(
        (await store.subjects(keys, 1)).map((rows) => rows.map((s) => ('id' in s ? s.id : `${s.set.object}#${s.set.relation}`))),
        [['alice'], ['eng#member'], ['bob'], ['eng#member'], []],
      );
      const byObject = (keys: ObjectRelation[]) => keys.sort((x, y) => x.object.localeCompare(y.object));
      assert.deepEqual((await store.keysOf([id('bob'), set('group', 'eng', 'member'), id('nobody')], 'doc')).map(byObject), [
        [{ namespace: 'doc', object: '2', relation: 'owner' }],
        [
          { namespace: 'doc', object: '1', relation: 'viewer' },
          { namespace: 'doc', object: '2', relation: 'viewer' },
        ],
        [],
      ]);
    });

    test("ordered subject sets: store order, and a traverse's order by namespace, object UUID under the network id, relation", async () => {
      const key = { namespace: 'walked', object: 'o', relation: 'parent' };
      const sets = [
        set('folder', 'b', ''),
        set('folder', 'a', 'x'),
        set('doc', 'z', ''),
        set('folder', 'a', ''),
        set('folder', 'c', ''),
        set('folder', 'b', ''),
      ];
      await store.transact([...sets.map((s) => ({ ...key, subject: s })), { ...key, subject: id('u') }], []);
      const [ordered, missing] = await store.orderedSubjectSets([key, { ...key, object: 'none' }]);
      assert.deepEqual(ordered!.sets, (await store.subjectSets([key], 100))[0]);
      assert.deepEqual(ordered!.sets, sets.map((s) => ('set' in s ? s.set : undefined)));
      // Keto's listing order: namespace, then the object's stored UUID (UUIDv5 under the network id), then relation; equal sets in store order.
      const nid = await store.networkId();
      const expected = sets
        .map((s, i) => ({ i, set: (s as { set: { namespace: string; object: string; relation: string } }).set }))
        .sort((x, y) => cmp(x.set.namespace, y.set.namespace) || cmp(uuidV5(nid, x.set.object), uuidV5(nid, y.set.object)) || cmp(x.set.relation, y.set.relation) || x.i - y.i)
        .map((x) => x.i);
      assert.deepEqual(ordered!.traverse, expected);
      assert.deepEqual(missing, { sets: [], traverse: [] });
      assert.deepEqual(await store.orderedSubjectSets([]), []);
    });

    test('the changelog records every write with consecutive revisions', async () => {
      const start = await store.headRevision();
      const a = tuple('log', 'o', 'r', id('a'));
      const b = tuple('log', 'o', 'r', set('g', 'x', 'm'));
      const r1 = await store.transact([a, b], []);
      const r2 = await store.transact([], [a]);
      const r3 = await store.deleteMatching({ namespace: 'log' });
      assert.deepEqual([r1, r2, r3], [start + 1, start + 2, start + 3]);
      assert.equal(await store.headRevision(), r3);
      assert.deepEqual(await store.changesSince(start, 10), [
        { revision: r1, inserted: [a, b], deleted: [] },
        { revision: r2, inserted: [], deleted: [a] },
        { revision: r3, inserted: [], deleted: [b] },
      ]);
      assert.deepEqual(
        (await store.changesSince(start, 2)).map((c) => c.revision),
        [r1, r2],
      );
      assert.equal(await store.transact([], []), r3);
    });

    test('two processes writing at once: every write lands, revisions are distinct and gapless', async () => {
      const start = await store.headRevision();
      const writer = fileURLToPath(new URL('./concurrent-writer.js', import.meta.url));
      const count = 40;
      const child = run(process.execPath, [writer, database.dsn, String(count), 'child']);
      const mine: number[] = [];
      for (let i = 0; i < count; i++) {
        mine.push(await store.transact([tuple('race', `parent-${i}`, 'writer', id('parent'))], []));
      }
      const theirs = JSON.parse((await child).stdout) as number[];
      const all = [...mine, ...theirs].sort((x, y) => x - y);
      assert.deepEqual(all, Array.from({ length: 2 * count }, (_, i) => start + 1 + i));
      assert.equal((await listAll(store, { namespace: 'race' })).length, 2 * count);
      const log = await store.changesSince(start, 1000);
      assert.equal(log.length, 2 * count);
    });
  });
}
