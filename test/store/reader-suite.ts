/**
 * The reader suite: every implementation of gatehouse's read interface (the SQL store of
 * each dialect, the in-memory index, the index in front of a store, the tests' memory
 * source) is written the same histories and must answer every read exactly as a naive
 * scan of the list of rows written does.
 *
 * The strings are chosen to collide where a collation could fold them: case, a trailing
 * space, NFC against NFD, a subject id spelled like a subject set, an empty relation, and
 * code points on both sides of the surrogate range (UTF-16 and UTF-8 order them
 * differently; the stores collate by UTF-8 bytes, that is by code point).
 *
 * Order guarantees checked: forward reads list a key's rows in store order, which for
 * rows gatehouse wrote is the order they were written; `keysOf` is compared as a set
 * (its order is unspecified); `orderedSubjectSets` also gives the order a
 * traverse walks a key's sets: namespace (UTF-8 bytes), the object's UUIDv5 under the
 * reader's network id, relation, then store order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { ALL_ROWS, type MaybePromise, type OrderedRange, type OrderedSets, type TupleSource } from '../../src/reader.js';
import { NIL_NETWORK_ID } from '../../src/store/traverse-order.js';
import { uuidV5 } from '../../src/store/uuid.js';
import { openStore } from '../../src/store/open.js';
import type { ObjectRelation, RelationTuple, Subject, SubjectSet } from '../../src/tuple.js';
import type { TestDatabase } from './databases.js';

/** One reader holding no rows yet, and the way to write the rows it reads. */
export interface ReaderUnderTest {
  /** Inserts, then deletes every row equal to one of `remove`, atomically; the revision written, when the reader has revisions. */
  write(insert: readonly RelationTuple[], remove: readonly RelationTuple[]): Promise<number | undefined>;
  /** The reader, opened so that it reflects every write made so far. */
  reader(): Promise<TupleSource>;
  /** The revision a reader opened now answers at (absent where the reader has no revisions). */
  revision?(): Promise<number>;
  /** The network id whose object UUIDs order a traverse (absent: the nil UUID, as for a reader on its own). */
  networkId?(): MaybePromise<string>;
}

export interface ReaderHarness {
  /** A reader holding no rows; the previous one is not used again. */
  fresh(): Promise<ReaderUnderTest>;
  close(): Promise<void>;
}

export interface ReaderSuiteOptions {
  /** Random histories checked (each a few writes, then every read). */
  readonly runs: number;
}

/** Runs are reproducible: the same histories every time unless GATEHOUSE_PROPERTY_SEED asks for others. */
const SEED = Number(process.env['GATEHOUSE_PROPERTY_SEED'] ?? 20_261_205);

// --- the naive oracle ----------------------------------------------------------------

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const keyOrder = (a: ObjectRelation, b: ObjectRelation): number =>
  utf8Order(a.namespace, b.namespace) || utf8Order(a.object, b.object) || utf8Order(a.relation, b.relation);
const onKey = (t: ObjectRelation, k: ObjectRelation): boolean =>
  t.namespace === k.namespace && t.object === k.object && t.relation === k.relation;
const sameSubject = (a: Subject, b: Subject): boolean =>
  'id' in a ? 'id' in b && a.id === b.id : 'set' in b && onKey(a.set, b.set);
const keyOnly = (k: ObjectRelation): ObjectRelation => ({ namespace: k.namespace, object: k.object, relation: k.relation });
const text = (x: unknown): string => JSON.stringify(x);
const positionOf = (s: Subject): string => ('id' in s ? s.id : s.set.object);
/** keysOf's keys in Rows' order (a source gives them in no particular order). */
const sortedKeys = (keys: readonly ObjectRelation[]): ObjectRelation[] => [...keys].sort(keyOrder);

/** Every item of an ordered read, read `step` at a time, each step after the last item of the one before. */
async function inSteps<T>(read: (range: OrderedRange) => MaybePromise<T[]>, position: (item: T) => string, step: number): Promise<T[]> {
  const items: T[] = [];
  for (let after: string | undefined; ; ) {
    const got = await read(after === undefined ? { limit: step } : { after, limit: step });
    items.push(...got);
    if (got.length < step) return items;
    after = position(got[got.length - 1]!);
  }
}

/** The rows written, in the order written: what every reader must agree with. */
class Rows {
  private rows: RelationTuple[] = [];

  write(insert: readonly RelationTuple[], remove: readonly RelationTuple[]): void {
    this.rows.push(...insert);
    for (const r of remove) this.rows = this.rows.filter((t) => !(onKey(t, r) && sameSubject(t.subject, r.subject)));
  }

  hasSubject(keys: readonly ObjectRelation[], subject: Subject): boolean[] {
    return keys.map((k) => this.rows.some((t) => onKey(t, k) && sameSubject(t.subject, subject)));
  }

  subjectSets(keys: readonly ObjectRelation[], limit: number): SubjectSet[][] {
    return keys.map((k) => this.subjects(k, ALL_ROWS).flatMap((s) => ('set' in s ? [s.set] : [])).slice(0, limit));
  }

  orderedSubjectSets(keys: readonly ObjectRelation[], networkId: string): OrderedSets[] {
    return keys.map((k) => {
      const sets = this.subjectSets([k], ALL_ROWS)[0]!;
      const uuid = (s: SubjectSet) => uuidV5(networkId, s.object);
      const traverse = sets
        .map((_, i) => i)
        .sort((i, j) => utf8Order(sets[i]!.namespace, sets[j]!.namespace) || utf8Order(uuid(sets[i]!), uuid(sets[j]!)) || utf8Order(sets[i]!.relation, sets[j]!.relation) || i - j);
      return { sets, traverse };
    });
  }

  subjects(key: ObjectRelation, limit: number): Subject[] {
    return this.rows.filter((t) => onKey(t, key)).map((t) => t.subject).slice(0, limit);
  }

  keysOf(subject: Subject, namespace?: string): ObjectRelation[] {
    const keys = new Map<string, ObjectRelation>();
    for (const t of this.rows) {
      if (sameSubject(t.subject, subject) && (namespace === undefined || t.namespace === namespace)) keys.set(text(keyOnly(t)), keyOnly(t));
    }
    return [...keys.values()].sort(keyOrder);
  }

  objectsIn(namespace: string): string[] {
    const objects = new Set<string>();
    for (const t of this.rows) {
      if (t.namespace === namespace) objects.add(t.object);
      if ('set' in t.subject && t.subject.set.namespace === namespace) objects.add(t.subject.set.object);
    }
    return [...objects].sort(utf8Order);
  }

  /** In binary order of the id (of the subject set's object). */
  subjectsOfKind(kind: { namespace: string; relation: string } | undefined): Subject[] {
    const found = new Map<string, Subject>();
    for (const { subject: s } of this.rows) {
      if (kind === undefined ? 'id' in s : 'set' in s && s.set.namespace === kind.namespace && s.set.relation === kind.relation) found.set(text(s), s);
    }
    return [...found.values()].sort((a, b) => utf8Order(positionOf(a), positionOf(b)));
  }
}

// --- the strings, and the worlds made of them ------------------------------------------

const NAMESPACES = ['doc', 'Doc', 'doc ', 'ñandú', '𝒜'];
const OBJECTS = ['a', 'A', 'a ', '', 'ü', 'u\u0308', '\uE000', '😀', 'doc:a#viewer'];
const RELATIONS = ['viewer', 'Viewer', 'viewer ', '', 'é'];
const IDS = ['alice', 'Alice', 'alice ', '', 'ü', 'u\u0308', '😀', 'doc:a#viewer'];
/** A namespace no row is ever written in. */
const NOWHERE = 'nowhere';

/** Other strings of the same list a folding collation could take for `s`. */
const twinsOf = (s: string, all: readonly string[]): string[] =>
  all.filter((t) => t !== s && (t.toLowerCase() === s.toLowerCase() || t.trimEnd() === s.trimEnd() || t.normalize('NFC') === s.normalize('NFC')));

const keyTwins = (k: ObjectRelation): ObjectRelation[] => [
  ...twinsOf(k.namespace, NAMESPACES).map((namespace) => ({ ...k, namespace })),
  ...twinsOf(k.object, OBJECTS).map((object) => ({ ...k, object })),
  ...twinsOf(k.relation, RELATIONS).map((relation) => ({ ...k, relation })),
];

const subjectTwins = (s: Subject): Subject[] =>
  'id' in s ? twinsOf(s.id, IDS).map((id) => ({ id })) : keyTwins(s.set).map((set) => ({ set }));

const unique = <T>(items: readonly T[]): T[] => [...new Map(items.map((x) => [text(x), x])).values()];

const key: fc.Arbitrary<ObjectRelation> = fc
  .tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...OBJECTS), fc.constantFrom(...RELATIONS))
  .map(([namespace, object, relation]) => ({ namespace, object, relation }));

interface World {
  readonly keys: ObjectRelation[];
  readonly subjects: Subject[];
  readonly writes: { insert: RelationTuple[]; remove: RelationTuple[] }[];
}

/**
 * A few keys and subjects (ids, sets, sets with the empty relation, sets that are keys of
 * the world), and writes of tuples made of them: small pools, so that rows repeat (Keto
 * keeps duplicates) and deletes hit rows.
 */
const world: fc.Arbitrary<World> = fc
  .uniqueArray(key, { minLength: 1, maxLength: 5, selector: text })
  .chain((keys) =>
    fc
      .uniqueArray(
        fc.oneof(
          fc.constantFrom(...IDS).map((id): Subject => ({ id })),
          key.map((set): Subject => ({ set })),
          key.map((set): Subject => ({ set: { ...set, relation: '' } })),
          fc.constantFrom(...keys).map((set): Subject => ({ set })),
        ),
        { minLength: 1, maxLength: 6, selector: text },
      )
      .chain((subjects) => {
        const tuple = fc
          .tuple(fc.nat(keys.length - 1), fc.nat(subjects.length - 1))
          .map(([k, s]): RelationTuple => ({ ...keys[k]!, subject: subjects[s]! }));
        const write = fc.record({ insert: fc.array(tuple, { maxLength: 10 }), remove: fc.array(tuple, { maxLength: 3 }) });
        return fc.record({ keys: fc.constant(keys), subjects: fc.constant(subjects), writes: fc.array(write, { minLength: 1, maxLength: 4 }) });
      }),
  );

// --- the comparison -------------------------------------------------------------------

/**
 * Writes the history to the reader and to the oracle; checks the revision after each
 * write where the reader has revisions (one more per write that changed anything, none
 * for an empty one) and that the reader, opened afterwards, answers at the last one.
 */
async function replay(r: ReaderUnderTest, rows: Rows, writes: World['writes']): Promise<TupleSource> {
  let revision = r.revision === undefined ? undefined : await r.revision();
  for (const { insert, remove } of writes) {
    const written = await r.write(insert, remove);
    rows.write(insert, remove);
    if (revision !== undefined) {
      const expected = insert.length + remove.length === 0 ? revision : revision + 1;
      assert.equal(written, expected, 'the revision a write returns');
      revision = expected;
    }
  }
  const source = await r.reader();
  if (revision !== undefined) assert.equal(await r.revision!(), revision, 'the revision the reader answers at');
  return source;
}

const LIMITS = [0, 1, 2, ALL_ROWS];

/** Every read the oracle can answer about `keys` and `subjects`, compared. */
async function assertReads(source: TupleSource, rows: Rows, keys: readonly ObjectRelation[], subjects: readonly Subject[], networkId: string): Promise<void> {
  const frontier = [...keys, ...keys.slice(0, 1)];
  const asked = [...subjects, ...subjects.slice(0, 1)];
  assert.deepEqual(await source.hasSubject([], subjects[0] ?? { id: 'alice' }), []);
  assert.deepEqual(await source.subjectSets([], ALL_ROWS), []);
  assert.deepEqual(await source.subjects([], ALL_ROWS), []);
  assert.deepEqual(await source.keysOf([]), []);
  for (const s of subjects) {
    assert.deepEqual(await source.hasSubject(frontier, s), rows.hasSubject(frontier, s), `hasSubject ${text(s)}`);
  }
  for (const limit of LIMITS) {
    assert.deepEqual(await source.subjectSets(frontier, limit), rows.subjectSets(frontier, limit), `subjectSets limit ${limit}`);
  }
  assert.deepEqual(await source.orderedSubjectSets([]), []);
  assert.deepEqual(await source.orderedSubjectSets(frontier), rows.orderedSubjectSets(frontier, networkId), 'orderedSubjectSets');
  for (const limit of LIMITS) {
    assert.deepEqual(await source.subjects(frontier, limit), frontier.map((k) => rows.subjects(k, limit)), `subjects limit ${limit}`);
  }
  const keysOf = async (asked: readonly Subject[], namespace?: string) => (await source.keysOf(asked, namespace)).map(sortedKeys);
  for (const s of subjects) assert.deepEqual(await keysOf([s]), [rows.keysOf(s)], `keysOf ${text(s)}`);
  assert.deepEqual(await keysOf(asked), asked.map((s) => rows.keysOf(s)), 'keysOf of every subject at once');
  const namespaces = unique([...keys.map((k) => k.namespace), NOWHERE]);
  for (const ns of namespaces) {
    assert.deepEqual(await keysOf(asked, ns), asked.map((s) => rows.keysOf(s, ns)), `keysOf of every subject in ${ns}`);
  }
  for (const ns of namespaces) {
    const objects = rows.objectsIn(ns);
    assert.deepEqual(await source.objectsIn(ns, { limit: ALL_ROWS }), objects, `objectsIn ${ns}`);
    assert.deepEqual(await inSteps((range) => source.objectsIn(ns, range), (o) => o, 2), objects, `objectsIn ${ns}, two at a time`);
    assert.deepEqual(await source.objectsIn(ns, { limit: 0 }), [], `objectsIn ${ns}, none`);
  }
  const kinds = unique([undefined, ...subjects.flatMap((s) => ('set' in s ? [{ namespace: s.set.namespace, relation: s.set.relation }] : []))]);
  for (const kind of kinds) {
    const expected = rows.subjectsOfKind(kind).map(text);
    assert.deepEqual((await source.subjectsOfKind(kind, { limit: ALL_ROWS })).map(text), expected, `subjectsOfKind ${text(kind)}`);
    const stepped = await inSteps((range) => source.subjectsOfKind(kind, range), positionOf, 2);
    assert.deepEqual(stepped.map(text), expected, `subjectsOfKind ${text(kind)}, two at a time`);
  }
}

/** The keys and subjects of a world, each with the near-twins a folding collation would confuse with it. */
function probes(w: Pick<World, 'keys' | 'subjects'>): { keys: ObjectRelation[]; subjects: Subject[] } {
  return {
    keys: unique([...w.keys, ...w.keys.flatMap(keyTwins)]),
    subjects: unique([...w.subjects, ...w.subjects.flatMap(subjectTwins), ...w.keys.map((set): Subject => ({ set }))]),
  };
}

const t = (namespace: string, object: string, relation: string, subject: Subject): RelationTuple => ({ namespace, object, relation, subject });
const id = (subject: string): Subject => ({ id: subject });
const set = (namespace: string, object: string, relation: string): Subject => ({ set: { namespace, object, relation } });

export function readerSuite(name: string, open: () => Promise<ReaderHarness>, options: ReaderSuiteOptions): void {
  describe(`reader suite on ${name}`, () => {
    let harness: ReaderHarness;
    before(async () => {
      harness = await open();
    });
    after(async () => {
      await harness?.close();
    });

    /** Writes `writes` to a fresh reader, then compares every read about `keys` and `subjects` (and their twins). */
    async function check(writes: World['writes'], keys: ObjectRelation[], subjects: Subject[]): Promise<void> {
      const rows = new Rows();
      const reader = await harness.fresh();
      const source = await replay(reader, rows, writes);
      const probe = probes({ keys, subjects });
      await assertReads(source, rows, probe.keys, probe.subjects, (await reader.networkId?.()) ?? NIL_NETWORK_ID);
    }

    test('subject ids against subject sets, empty relations, duplicates, and deletes of every equal row', async () => {
      const doc = { namespace: 'doc', object: 'a', relation: 'viewer' };
      const group = { namespace: 'Doc', object: 'A', relation: '' };
      await check(
        [
          {
            insert: [
              t('doc', 'a', 'viewer', id('doc:a#viewer')),
              t('doc', 'a', 'viewer', set('doc', 'a', 'viewer')),
              t('doc', 'a', 'viewer', set('Doc', 'A', '')),
              t('doc', 'a', 'viewer', id('alice')),
              t('doc', 'a', 'viewer', id('alice')),
              t('Doc', 'A', '', id('alice')),
            ],
            remove: [],
          },
          { insert: [t('doc', 'a', 'viewer', id('alice')), t('Doc', 'A', '', set('Doc', 'A', 'x'))], remove: [t('doc', 'a', 'viewer', id('alice'))] },
          { insert: [], remove: [] },
          { insert: [t('doc', 'a', 'viewer', id('alice'))], remove: [t('Doc', 'A', '', set('Doc', 'A', 'x')), t('doc', 'a', 'viewer', id('nobody'))] },
        ],
        [doc, group],
        [id('alice'), id('doc:a#viewer'), set('doc', 'a', 'viewer'), set('Doc', 'A', ''), set('Doc', 'A', 'x'), id('nobody')],
      );
    });

    test('strings differing only in case, a trailing space or Unicode normalisation are different strings', async () => {
      const tuples = NAMESPACES.flatMap((ns, i) => [
        t(ns, OBJECTS[i % OBJECTS.length]!, RELATIONS[i % RELATIONS.length]!, id(IDS[i % IDS.length]!)),
        t('doc', OBJECTS[(i + 2) % OBJECTS.length]!, RELATIONS[i % RELATIONS.length]!, set(ns, OBJECTS[(i + 5) % OBJECTS.length]!, RELATIONS[(i + 1) % RELATIONS.length]!)),
        t('doc', 'ü', 'viewer', id(IDS[(i + 3) % IDS.length]!)),
        t('doc', 'u\u0308', 'viewer', id(IDS[(i + 4) % IDS.length]!)),
      ]);
      // Twins on one subject (keys a collation would merge) and on one key (subjects it would merge).
      tuples.push(
        ...NAMESPACES.map((ns) => t(ns, 'a', 'viewer', id('alice'))),
        ...OBJECTS.map((o) => t('doc', o, 'viewer', id('alice'))),
        ...RELATIONS.map((r) => t('doc', 'a', r, id('alice'))),
        ...NAMESPACES.map((ns) => t('Doc', 'A', 'viewer', set(ns, 'a', 'viewer'))),
        ...RELATIONS.map((r) => t('Doc', 'A', 'viewer', set('doc', 'a', r))),
        ...IDS.map((i) => t('Doc', 'A', 'viewer', id(i))),
      );
      await check([{ insert: tuples, remove: [] }], unique(tuples.map(keyOnly)), unique(tuples.map((x) => x.subject)));
    });

    test('keysOf tells namespace, object and relation apart byte for byte', async () => {
      const objects = ['\uE000', '😀', 'z', 'Z', '', 'é', 'e\u0301', 'a ', 'a'];
      const writes = [{ insert: objects.flatMap((o) => [t('𝒜', o, 'r', id('u')), t('\uFFFD', o, 'r', id('u')), t('ñandú', 'x', o, id('u'))]), remove: [] }];
      const rows = new Rows();
      const source = await replay(await harness.fresh(), rows, writes);
      const [keys] = (await source.keysOf([id('u')])) as [ObjectRelation[]];
      assert.equal(keys.length, 3 * objects.length);
      assert.deepEqual(sortedKeys(keys), rows.keysOf(id('u')));
      const [inNamespace] = (await source.keysOf([id('u')], '𝒜')) as [ObjectRelation[]];
      assert.deepEqual(sortedKeys(inNamespace), rows.keysOf(id('u'), '𝒜'));
    });

    test('a frontier of keys or subjects larger than one SQL batch is answered one by one, in order', async () => {
      const frontier = Array.from({ length: 2500 }, (_, i): ObjectRelation => ({ namespace: i % 2 ? 'doc' : 'Doc', object: `o${i}`, relation: 'viewer' }));
      const insert = frontier.flatMap((k, i) =>
        i % 7 === 0 ? [{ ...k, subject: id('alice') }, { ...k, subject: set('doc', `g${i % 3}`, '') }, { ...k, subject: set('doc', 'g0', 'm') }] : [],
      );
      const rows = new Rows();
      const reader = await harness.fresh();
      const source = await replay(reader, rows, [{ insert, remove: insert.slice(0, 2) }]);
      const reversed = [...frontier].reverse();
      assert.deepEqual(await source.orderedSubjectSets(reversed), rows.orderedSubjectSets(reversed, (await reader.networkId?.()) ?? NIL_NETWORK_ID));
      assert.deepEqual(await source.hasSubject(reversed, id('alice')), rows.hasSubject(reversed, id('alice')));
      assert.deepEqual(await source.hasSubject(frontier, set('doc', 'g0', '')), rows.hasSubject(frontier, set('doc', 'g0', '')));
      for (const limit of [1, ALL_ROWS]) {
        assert.deepEqual(await source.subjectSets(reversed, limit), rows.subjectSets(reversed, limit));
        assert.deepEqual(await source.subjects(reversed, limit), reversed.map((k) => rows.subjects(k, limit)));
      }
      const groups = Array.from({ length: 2500 }, (_, i) => set('doc', `g${i}`, i % 2 ? 'm' : ''));
      assert.deepEqual((await source.keysOf(groups)).map(sortedKeys), groups.map((g) => rows.keysOf(g)));
      assert.deepEqual((await source.keysOf([id('alice'), set('doc', 'g0', 'm')], 'Doc')).map(sortedKeys), [
        rows.keysOf(id('alice'), 'Doc'),
        rows.keysOf(set('doc', 'g0', 'm'), 'Doc'),
      ]);
    });

    test('random histories: every read equals the naive scan of the rows written', async () => {
      await fc.assert(
        fc.asyncProperty(world, async (w) => {
          await check(w.writes, w.keys, w.subjects);
        }),
        { numRuns: options.runs, seed: SEED },
      );
    });
  });
}

/** The SQL store of one dialect as a reader: a database made for the suite, emptied before each history. */
export const storeReaders =
  (makeDatabase: () => Promise<TestDatabase>) =>
  async (): Promise<ReaderHarness> => {
    const database = await makeDatabase();
    const store = await openStore(database.dsn);
    await store.migrations.up();
    return {
      async fresh() {
        await store.deleteMatching({});
        return {
          write: (insert, remove) => store.transact(insert, remove),
          reader: async () => store,
          revision: () => store.headRevision(),
          networkId: () => store.networkId(),
        };
      },
      async close() {
        await store.close();
        await database.drop();
      },
    };
  };
