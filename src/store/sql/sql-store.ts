import { randomBytes } from 'node:crypto';
import { type ObjectRelation, type RelationQuery, type RelationTuple, type Subject, type SubjectSet } from '../../tuple.js';
import type { MaybePromise, OrderedRange, OrderedSets, SubjectSetKind } from '../../reader.js';
import { unavailable } from '../../errors.js';
import { checkStorableQuery, checkStorableTuple } from '../limits.js';
import { type ChangeNotifications, localNotifications } from '../change-notifications.js';
import { type PagePosition, PageTokens } from '../page-token.js';
import type { ChangeEntry, Migrator, PageRequest, RelationTupleStore, TuplePage } from '../store.js';
import { traverseOrder } from '../traverse-order.js';
import { uuidV4, uuidV7 } from '../uuid.js';
import { appendChange, beginOwnWrite, pruneChanges, readChanges } from './changelog.js';
import { COPY_WALK_COLUMNS, walkCopy } from './copy-walk.js';
import type { PoolUsage, SqlColumn, SqlDriver, SqlExecutor, SqlValue } from './driver.js';
import { MAX_PARAMETERS } from './driver.js';
import { listingOrder, type ListingOrder, nextNamespace, orderBy, type PageQuery, pageQueries, SHARD_ORDER } from './list-order.js';
import { keyId, Predicates, subjectId } from './predicates.js';
import { TUPLE_COLUMNS, tupleOf, type TupleRow, WALK_COLUMNS, WALK_SHARD_ID, walkedTuples } from './rows.js';
import { UuidStrings } from './uuid-strings.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DELETE_CHUNK = 100;
const KEY_CHUNK = 2000;
const PAGINATION_KEY = 'pagination_key';
/** The network a database created by gatehouse uses, recorded once by whichever process created it first. */
const NETWORK_KEY = 'network';

const TUPLE_INSERT_COLUMNS: readonly SqlColumn[] = [
  { name: 'shard_id', type: 'uuid' },
  { name: 'nid', type: 'uuid' },
  { name: 'namespace', type: 'text' },
  { name: 'object', type: 'uuid' },
  { name: 'relation', type: 'text' },
  { name: 'subject_id', type: 'uuid' },
  { name: 'subject_set_namespace', type: 'text' },
  { name: 'subject_set_object', type: 'uuid' },
  { name: 'subject_set_relation', type: 'text' },
  { name: 'commit_time', type: 'timestamp' },
];

const MAPPING_COLUMNS: readonly SqlColumn[] = [
  { name: 'id', type: 'uuid' },
  { name: 'string_representation', type: 'text' },
];

const isUnfiltered = (q: RelationQuery): boolean =>
  q.namespace === undefined && q.object === undefined && q.relation === undefined && q.subject === undefined;

const limitOf = (n: number): number => Math.max(0, Math.trunc(n));

/** Rows of keto_uuid_mappings per query of a walk's first read. */
const MAPPING_PAGE = 5000;

/** A synchronous driver (SQLite) answers every page of a walk at once: requests get their turn between pages. */
const turnForRequests = () => new Promise((resolve) => setImmediate(resolve));

/** A selection of whole rows of `t` (ordered and limited), read with their strings, in `order`. */
const withStrings = (selection: string, order: ListingOrder = SHARD_ORDER): string =>
  `SELECT ${TUPLE_COLUMNS} FROM (${selection}) t ORDER BY ${orderBy(order)}`;

/** A stored subject-set row of a key, with its object's text. */
type SubjectSetRow = {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
  readonly subject_set_namespace: string;
  readonly subject_set_object: string;
  readonly subject_set_relation: string;
  readonly subject_set_object_text: string | null;
};

const subjectSetOf = (row: SubjectSetRow): SubjectSet => ({
  namespace: row.subject_set_namespace,
  object: row.subject_set_object_text ?? '',
  relation: row.subject_set_relation,
});

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * The relationship store over any SQL dialect: Keto's tables, gatehouse's changelog.
 * Network id: the oldest row of `networks` (created when there is none), as Keto picks it.
 */
export class SqlRelationTupleStore implements RelationTupleStore {
  private network: Promise<Predicates> | undefined;
  /** The network id, once determined. */
  private nid: string | undefined;
  private storedKey: Promise<readonly string[]> | undefined;
  /** The stored key, once read. */
  private storedSecrets: readonly string[] | undefined;

  constructor(
    private readonly driver: SqlDriver,
    readonly migrations: Migrator,
    private readonly paginationSecrets: readonly string[] | (() => readonly string[]) = [],
  ) {}

  async list(query: RelationQuery, page: PageRequest = { size: 100 }): Promise<TuplePage> {
    checkStorableQuery(query);
    const [where, secrets] = await Promise.all([this.predicates(), this.tokenSecrets()]);
    const tokens = new PageTokens(secrets);
    const position = page.token !== undefined && page.token !== '' ? tokens.read(query, page.token) : undefined;
    const size = Math.max(1, limitOf(page.size));
    let rows: TupleRow[];
    let order = SHARD_ORDER;
    if (isUnfiltered(query)) {
      const params: SqlValue[] = [];
      let selection = this.storeOrderWalk(where.nid, params);
      if (position !== undefined) {
        params.push(position.after);
        selection += ' AND t.shard_id > ?';
      }
      rows = await this.inStoreOrder((on) => on.query<TupleRow>(withStrings(`${selection} ORDER BY t.shard_id LIMIT ${size + 1}`), params));
    } else {
      order = listingOrder(query);
      rows = await this.filteredRows(where, query, order, position, size + 1);
    }
    const more = rows.length > size;
    const shown = more ? rows.slice(0, size) : rows;
    const last = shown[shown.length - 1];
    return {
      tuples: shown.map(tupleOf),
      nextPageToken:
        more && last !== undefined
          ? tokens.issue(query, {
              after: String(last.shard_id).toLowerCase(),
              ...(order.byRelation ? { relation: last.relation } : {}),
              ...(order.byNamespace ? { namespace: last.namespace } : {}),
            })
          : '',
    };
  }

  /** Up to `limit` rows of a filtered listing after `position`, in `order` (see list-order.ts). */
  private async filteredRows(
    where: Predicates,
    query: RelationQuery,
    order: ListingOrder,
    position: PagePosition | undefined,
    limit: number,
  ): Promise<TupleRow[]> {
    const rows: TupleRow[] = [];
    const read = async (queries: readonly PageQuery[]) => {
      for (const part of queries) {
        if (rows.length >= limit) return;
        rows.push(...(await this.driver.query<TupleRow>(withStrings(part.sql, order), part.params)));
      }
    };
    if (!order.byNamespace) {
      await read(pageQueries(this.driver.dialect, where, query, undefined, position, limit));
      return rows.slice(0, limit);
    }
    const next = async (after: string | undefined) => {
      const seek = nextNamespace(where, after);
      return (await this.driver.query<{ namespace: string | null }>(seek.sql, seek.params))[0]?.namespace ?? undefined;
    };
    let namespace = position?.namespace ?? (await next(undefined));
    let after = position;
    while (namespace !== undefined && rows.length < limit) {
      await read(pageQueries(this.driver.dialect, where, query, namespace, after, limit - rows.length));
      if (rows.length < limit) {
        namespace = await next(namespace);
        after = undefined;
      }
    }
    return rows;
  }

  async walk(pageSize: number, onPage: (tuples: RelationTuple[]) => boolean): Promise<void> {
    const size = Math.max(1, limitOf(pageSize));
    const { nid } = await this.predicates();
    if (this.driver.dialect.storeOrderWalk.copy) return this.walkWithCopy(nid, size, onPage);
    // The walk ends at the last row present when it begins: later rows are the changelog's to
    // replay, and a writer appending past the end (shard ids are time-ordered) is not chased.
    const lastParams: SqlValue[] = [];
    const [last] = await this.inStoreOrder((on) => on.query<{ shard_id: unknown }>(`${this.storeOrderWalk(nid, lastParams, 't.shard_id')} ORDER BY t.shard_id DESC LIMIT 1`, lastParams));
    if (last === undefined) return;
    const end = String(last.shard_id);
    const strings = await this.uuidStrings(Math.max(size, MAPPING_PAGE));
    let after: string | undefined;
    for (;;) {
      const params: SqlValue[] = [];
      let sql = `${this.storeOrderWalk(nid, params, WALK_COLUMNS)} AND t.shard_id <= ?`;
      params.push(end);
      if (after !== undefined) {
        params.push(after);
        sql += ' AND t.shard_id > ?';
      }
      const page = `${sql} ORDER BY t.shard_id LIMIT ${size}`;
      const rows = await this.inStoreOrder((on) => on.queryArrays(page, params));
      let tuples = walkedTuples(rows, strings);
      let lastShard = rows[rows.length - 1]?.[WALK_SHARD_ID];
      if (tuples === undefined) {
        // A UUID the table lacks (mapped after it was read, never mapped, or not in canonical text): the page again, joined.
        const joined = await this.inStoreOrder((on) => on.query<TupleRow>(withStrings(page), params));
        tuples = joined.map(tupleOf);
        lastShard = joined[joined.length - 1]?.shard_id;
      }
      if (tuples.length === 0 || !onPage(tuples) || tuples.length < size) return;
      after = String(lastShard);
      await turnForRequests();
    }
  }

  /** keto_uuid_mappings whole (it has no network column: every network's), in pages of `size`. */
  private async uuidStrings(size: number): Promise<UuidStrings> {
    const strings = new UuidStrings();
    let after: string | undefined;
    for (;;) {
      const rows = await this.driver.queryArrays(
        `SELECT id, string_representation FROM keto_uuid_mappings${after === undefined ? '' : ' WHERE id > ?'} ORDER BY id LIMIT ${size}`,
        after === undefined ? [] : [after],
      );
      for (const [id, text] of rows) strings.addText(id, text as string);
      if (rows.length < size) return strings;
      after = String(rows[rows.length - 1]![0]);
      await turnForRequests();
    }
  }

  private async walkWithCopy(nid: string, size: number, onPage: (tuples: RelationTuple[]) => boolean): Promise<void> {
    // COPY takes no parameters: the network id, read from the database, goes in as a literal.
    if (!UUID.test(nid)) throw new Error(`the network id ${JSON.stringify(nid)} is not a UUID`);
    let delivered = false;
    await this.driver.transaction(
      async (tx) => {
        // A retried transaction would hand out the first pages twice.
        if (delivered) throw unavailable('the walk of the relation tuples was interrupted');
        await tx.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const walk = this.driver.dialect.storeOrderWalk;
        for (const statement of walk.setup) await tx.execute(statement);
        const selection = `SELECT ${COPY_WALK_COLUMNS} FROM keto_relation_tuples t ${walk.tableHint} WHERE t.nid = '${nid}' ORDER BY t.shard_id`;
        await walkCopy(tx, selection, size, (tuples) => {
          delivered = true;
          return onPage(tuples);
        });
      },
      // One statement streams the whole table: longer than any statement timeout.
      { untimed: true },
    );
  }

  /** Every row of the network, read along the primary key (the warm-up's and an unfiltered listing's walk). */
  private storeOrderWalk(nid: string, params: SqlValue[], columns = 't.*'): string {
    const walk = this.driver.dialect.storeOrderWalk;
    params.push(nid);
    return `SELECT ${columns} FROM keto_relation_tuples t ${walk.tableHint} WHERE ${walk.nidEquals('t.nid')}`;
  }

  /** Runs `read` (a query over `storeOrderWalk`) after the dialect's setup statements, when it has any. */
  private inStoreOrder<R>(read: (on: SqlExecutor) => Promise<R>): Promise<R> {
    const { setup } = this.driver.dialect.storeOrderWalk;
    if (setup.length === 0) return read(this.driver);
    return this.driver.transaction(async (tx) => {
      for (const statement of setup) await tx.execute(statement);
      return read(tx);
    });
  }

  async transact(insert: readonly RelationTuple[], remove: readonly RelationTuple[]): Promise<number> {
    insert.forEach(checkStorableTuple);
    remove.forEach(checkStorableTuple);
    if (insert.length + remove.length === 0) return this.headRevision();
    const where = await this.predicates();
    const unaliased = where.unaliased();
    return this.driver.transaction(async (tx) => {
      await beginOwnWrite(tx, this.driver.dialect);
      await this.insertRows(tx, where, insert);
      if (this.driver.dialect.arrayParameters) await this.deleteByArrays(tx, where, remove);
      else {
        for (const chunk of chunks(remove, DELETE_CHUNK)) {
          const params: SqlValue[] = [];
          const ors = chunk.map((tuple) => unaliased.tuple(tuple, params)).join(' OR ');
          await tx.execute(`DELETE FROM keto_relation_tuples WHERE ${ors}`, params);
        }
      }
      return appendChange(tx, this.driver.dialect, where.nid, insert, remove);
    });
  }

  async deleteMatching(query: RelationQuery): Promise<number> {
    checkStorableQuery(query);
    const where = await this.predicates();
    return this.driver.transaction(async (tx) => {
      await beginOwnWrite(tx, this.driver.dialect);
      const params: SqlValue[] = [];
      const rows = await tx.query<TupleRow>(
        `SELECT ${TUPLE_COLUMNS} FROM keto_relation_tuples t WHERE ${where.query(query, params)} ORDER BY t.shard_id`,
        params,
      );
      for (const chunk of chunks(rows, MAX_PARAMETERS - 1)) {
        await tx.execute(
          `DELETE FROM keto_relation_tuples WHERE nid = ? AND shard_id IN (${chunk.map(() => '?').join(', ')})`,
          [where.nid, ...chunk.map((row) => row.shard_id)],
        );
      }
      return appendChange(tx, this.driver.dialect, where.nid, [], rows.map(tupleOf));
    });
  }

  async changesSince(revision: number, limit: number): Promise<ChangeEntry[]> {
    const { nid } = await this.predicates();
    return readChanges(this.driver, nid, Math.trunc(revision), Math.max(1, limitOf(limit)));
  }

  async pruneChangelog(before: Date, batch: number): Promise<number> {
    const { nid } = await this.predicates();
    return pruneChanges(this.driver, nid, before, Math.max(1, limitOf(batch)));
  }

  networkId(): MaybePromise<string> {
    return this.nid ?? this.predicates().then((where) => where.nid);
  }

  async headRevision(): Promise<number> {
    const { nid } = await this.predicates();
    const rows = await (this.driver.probe ?? this.driver.query).call(this.driver, 'SELECT revision FROM gatehouse_head WHERE nid = ?', [nid]);
    return rows.length === 0 ? 0 : Number(rows[0]!.revision);
  }

  changeNotifications(onChange: () => void, onError: (error: unknown) => void): ChangeNotifications {
    return this.driver.changeNotifications?.(onChange, onError) ?? localNotifications(onChange);
  }

  get processPrivate(): boolean {
    return this.driver.processPrivate === true;
  }

  async ping(): Promise<void> {
    await this.driver.query('SELECT 1 AS ok');
  }

  poolUsage(): PoolUsage | undefined {
    return this.driver.poolUsage?.();
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  async hasSubject(keys: readonly ObjectRelation[], subject: Subject): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const where = await this.predicates();
    const found = new Set<string>();
    for (const chunk of chunks(keys, KEY_CHUNK)) {
      const params: SqlValue[] = [];
      const keySql = where.keys(chunk, params);
      const subjectSql = where.subject(subject, params);
      const rows = await this.driver.query<{ namespace: string; object: string; relation: string }>(
        `SELECT t.namespace, t.object, t.relation FROM keto_relation_tuples t WHERE ${keySql} AND ${subjectSql}`,
        params,
      );
      for (const row of rows) found.add(keyId(row.namespace, String(row.object), row.relation));
    }
    return keys.map((key) => found.has(keyId(key.namespace, where.uuidOf(key.object), key.relation)));
  }

  async subjectSets(keys: readonly ObjectRelation[], limit: number): Promise<SubjectSet[][]> {
    const exact = this.driver.dialect.exact;
    const found = await this.subjectSetRows(
      keys,
      (keySql) =>
        `SELECT r.namespace, r.object, r.relation, r.subject_set_namespace, r.subject_set_object, r.subject_set_relation,
                m.string_representation AS subject_set_object_text
         FROM (SELECT t.namespace, t.object, t.relation, t.subject_set_namespace, t.subject_set_object, t.subject_set_relation,
                      ROW_NUMBER() OVER (PARTITION BY ${exact('t.namespace')}, t.object, ${exact('t.relation')} ORDER BY t.shard_id) AS position
               FROM keto_relation_tuples t
               WHERE t.subject_id IS NULL AND ${keySql}) r
         LEFT JOIN keto_uuid_mappings m ON m.id = r.subject_set_object
         WHERE r.position <= ${Math.max(0, limitOf(limit))}
         ORDER BY r.namespace, r.object, r.relation, r.position`,
    );
    return found.map((rows) => rows.map(subjectSetOf));
  }

  /** Every subject set of each key in shard order, and the order Keto's traverse reads them (by their stored object UUIDs). */
  async orderedSubjectSets(keys: readonly ObjectRelation[]): Promise<OrderedSets[]> {
    const { sortedApart } = this.driver.dialect;
    const found = await this.subjectSetRows(
      keys,
      (keySql) =>
        `SELECT t.namespace, t.object, t.relation, t.subject_set_namespace, t.subject_set_object, t.subject_set_relation,
                m.string_representation AS subject_set_object_text
         FROM keto_relation_tuples t
         LEFT JOIN keto_uuid_mappings m ON m.id = t.subject_set_object
         WHERE t.subject_id IS NULL AND ${keySql}
         ORDER BY ${sortedApart('t.shard_id')}`,
    );
    // The traverse order is sorted here rather than by the database: byte order under every collation.
    return found.map((rows) => ({
      sets: rows.map(subjectSetOf),
      traverse: traverseOrder(
        rows.map((row) => ({ namespace: row.subject_set_namespace, objectId: String(row.subject_set_object).toLowerCase(), relation: row.subject_set_relation })),
      ),
    }));
  }

  /** The subject-set rows of each key, in the order `select` returns them, read in chunks of keys. */
  private async subjectSetRows(keys: readonly ObjectRelation[], select: (keySql: string) => string): Promise<SubjectSetRow[][]> {
    if (keys.length === 0) return [];
    const where = await this.predicates();
    const byKey = new Map<string, SubjectSetRow[]>();
    for (const chunk of chunks(keys, KEY_CHUNK)) {
      const params: SqlValue[] = [];
      const rows = await this.driver.query<SubjectSetRow>(select(where.keys(chunk, params)), params);
      for (const row of rows) {
        const id = keyId(row.namespace, String(row.object), row.relation);
        let found = byKey.get(id);
        if (found === undefined) byKey.set(id, (found = []));
        found.push(row);
      }
    }
    return keys.map((key) => byKey.get(keyId(key.namespace, where.uuidOf(key.object), key.relation)) ?? []);
  }

  async subjects(keys: readonly ObjectRelation[], limit: number): Promise<Subject[][]> {
    if (keys.length === 0) return [];
    const where = await this.predicates();
    const exact = this.driver.dialect.exact;
    const byKey = new Map<string, Subject[]>();
    const textKey = (namespace: string, object: string, relation: string) => `${namespace}\u0000${object}\u0000${relation}`;
    for (const chunk of chunks(keys, KEY_CHUNK)) {
      const params: SqlValue[] = [];
      const keySql = where.keys(chunk, params);
      const rows = await this.driver.query<TupleRow>(
        withStrings(
          `SELECT r.* FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY ${exact('t.namespace')}, t.object, ${exact('t.relation')} ORDER BY t.shard_id) AS position
                            FROM keto_relation_tuples t WHERE ${keySql}) r
           WHERE r.position <= ${Math.max(0, limitOf(limit))}`,
        ),
        params,
      );
      for (const tuple of rows.map(tupleOf)) {
        const id = textKey(tuple.namespace, tuple.object, tuple.relation);
        let subjects = byKey.get(id);
        if (subjects === undefined) byKey.set(id, (subjects = []));
        subjects.push(tuple.subject);
      }
    }
    return keys.map((key) => byKey.get(textKey(key.namespace, key.object, key.relation)) ?? []);
  }

  /**
   * One query per chunk of subjects and kind of subject, read through Keto's reverse index of
   * that kind (`nid` and the subject first), each key's object string then looked up by primary
   * key. Rows are told apart by the objects' ids and the exact bytes of every string: a MySQL
   * collation would take `a` and `a ` (or `A`) for one string, and merge their keys, or their subjects.
   */
  async keysOf(subjects: readonly Subject[], namespace?: string): Promise<ObjectRelation[][]> {
    if (subjects.length === 0) return [];
    const where = await this.predicates();
    const { exact, textEquals, reverseIndexHint } = this.driver.dialect;
    const bySubject = new Map<string, ObjectRelation[]>();
    for (const chunk of chunks(subjects, KEY_CHUNK)) {
      for (const kind of ['ids', 'sets'] as const) {
        const params: SqlValue[] = [];
        const subjectSql = where.subjectsOf(kind, chunk, params);
        if (subjectSql === undefined) continue;
        const namespaceSql = namespace === undefined ? '' : ` AND ${textEquals('t.namespace', namespace, params)}`;
        const rows = await this.driver.query<{
          namespace: string;
          object: string | null;
          relation: string;
          subject_id: string | null;
          subject_set_namespace: string | null;
          subject_set_object: string | null;
          subject_set_relation: string | null;
        }>(
          `SELECT k.namespace, (SELECT m.string_representation FROM keto_uuid_mappings m WHERE m.id = k.object) AS object, k.relation,
                  k.subject_id, k.subject_set_namespace, k.subject_set_object, k.subject_set_relation
           FROM (SELECT MIN(t.namespace) AS namespace, t.object, MIN(t.relation) AS relation, t.subject_id,
                        MIN(t.subject_set_namespace) AS subject_set_namespace, t.subject_set_object, MIN(t.subject_set_relation) AS subject_set_relation
                 FROM keto_relation_tuples t ${reverseIndexHint(kind)}
                 WHERE ${subjectSql}${namespaceSql}
                 GROUP BY ${exact('t.namespace')}, t.object, ${exact('t.relation')},
                          t.subject_id, ${exact('t.subject_set_namespace')}, t.subject_set_object, ${exact('t.subject_set_relation')}) k`,
          params,
        );
        for (const row of rows) {
          const id = subjectId(row);
          let keys = bySubject.get(id);
          if (keys === undefined) bySubject.set(id, (keys = []));
          keys.push({ namespace: row.namespace, object: row.object ?? '', relation: row.relation });
        }
      }
    }
    return subjects.map((s) => bySubject.get(where.subjectIdOf(s)) ?? []);
  }

  /** One query: read through the indexes on the tuples' objects, the strings sorted by the database. */
  async objectsIn(namespace: string, range: OrderedRange): Promise<string[]> {
    const where = await this.predicates();
    const params: SqlValue[] = [where.nid];
    const asObject = this.driver.dialect.textEquals('t.namespace', namespace, params);
    params.push(where.nid);
    const asSubjectSet = this.driver.dialect.textEquals('t.subject_set_namespace', namespace, params);
    const rows = await this.driver.query<{ text: string | null }>(
      this.mappedInOrder(
        `(m.id IN (SELECT t.object FROM keto_relation_tuples t WHERE t.nid = ? AND ${asObject})
          OR m.id IN (SELECT t.subject_set_object FROM keto_relation_tuples t WHERE t.nid = ? AND ${asSubjectSet}))`,
        range,
        params,
      ),
      params,
    );
    return rows.map((row) => row.text ?? '');
  }

  async subjectsOfKind(kind: SubjectSetKind | undefined, range: OrderedRange): Promise<Subject[]> {
    const where = await this.predicates();
    const params: SqlValue[] = [where.nid];
    if (kind === undefined) {
      const rows = await this.driver.query<{ text: string | null }>(
        this.mappedInOrder('m.id IN (SELECT t.subject_id FROM keto_relation_tuples t WHERE t.nid = ? AND t.subject_id IS NOT NULL)', range, params),
        params,
      );
      return rows.map((row) => ({ id: row.text ?? '' }));
    }
    const namespace = this.driver.dialect.textEquals('t.subject_set_namespace', kind.namespace, params);
    const relation = this.driver.dialect.textEquals('t.subject_set_relation', kind.relation, params);
    const rows = await this.driver.query<{ text: string | null }>(
      this.mappedInOrder(
        `m.id IN (SELECT t.subject_set_object FROM keto_relation_tuples t WHERE t.nid = ? AND t.subject_id IS NULL AND ${namespace} AND ${relation})`,
        range,
        params,
      ),
      params,
    );
    return rows.map((row) => ({ set: { namespace: kind.namespace, object: row.text ?? '', relation: kind.relation } }));
  }

  /** The distinct strings (`text`) of the mappings that match `condition`, in binary order: the first `range.limit` after `range.after`. */
  private mappedInOrder(condition: string, range: OrderedRange, params: SqlValue[]): string {
    const ordered = this.driver.dialect.binaryOrder('m.string_representation');
    let after = '';
    if (range.after !== undefined) {
      params.push(range.after);
      after = ` AND ${ordered} > ${this.driver.dialect.binaryOrder('?')}`;
    }
    return `SELECT DISTINCT m.string_representation AS text, ${ordered} AS position FROM keto_uuid_mappings m
            WHERE ${condition}${after}
            ORDER BY position LIMIT ${limitOf(range.limit)}`;
  }

  private async insertRows(tx: SqlExecutor, where: Predicates, tuples: readonly RelationTuple[]): Promise<void> {
    if (tuples.length === 0) return;
    const dialect = this.driver.dialect;
    // Each distinct string is hashed once per transaction, however many tuples name it.
    const ids = new Map<string, string>();
    const idOf = (text: string): string => {
      let id = ids.get(text);
      if (id === undefined) ids.set(text, (id = where.uuidOf(text)));
      return id;
    };
    const now = dialect.timestamp(new Date());
    const rows: SqlValue[][] = tuples.map((t) =>
      'id' in t.subject
        ? [uuidV7(), where.nid, t.namespace, idOf(t.object), t.relation, idOf(t.subject.id), null, null, null, now]
        : [uuidV7(), where.nid, t.namespace, idOf(t.object), t.relation, null, t.subject.set.namespace, idOf(t.subject.set.object), t.subject.set.relation, now],
    );
    // Sorted so that concurrent writers take the mapping rows' locks in the same order.
    const mappings: SqlValue[][] = [...ids].map(([text, id]) => [id, text]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
    for (const statement of dialect.insertRows('keto_uuid_mappings', MAPPING_COLUMNS, mappings, ['id'])) {
      await tx.execute(statement.sql, statement.params, statement.options);
    }
    for (const statement of dialect.insertRows('keto_relation_tuples', TUPLE_INSERT_COLUMNS, rows)) {
      await tx.execute(statement.sql, statement.params, statement.options);
    }
  }

  /** Every row equal to one of `tuples`: two statements (subject ids, subject sets) joining the tuples as unnested arrays. */
  private async deleteByArrays(tx: SqlExecutor, where: Predicates, tuples: readonly RelationTuple[]): Promise<void> {
    const byId = { namespace: [] as string[], object: [] as string[], relation: [] as string[], subject: [] as string[] };
    const bySet = {
      namespace: [] as string[],
      object: [] as string[],
      relation: [] as string[],
      setNamespace: [] as string[],
      setObject: [] as string[],
      setRelation: [] as string[],
    };
    for (const t of tuples) {
      const into = 'id' in t.subject ? byId : bySet;
      into.namespace.push(t.namespace);
      into.object.push(where.uuidOf(t.object));
      into.relation.push(t.relation);
      if ('id' in t.subject) byId.subject.push(where.uuidOf(t.subject.id));
      else {
        bySet.setNamespace.push(t.subject.set.namespace);
        bySet.setObject.push(where.uuidOf(t.subject.set.object));
        bySet.setRelation.push(t.subject.set.relation);
      }
    }
    // Never prepared: PostgreSQL's generic plan of these joins, made without the arrays, can read every
    // row of the network for each tuple (write.js, 100k tuples: from the sixth transaction on, deleting
    // 1000 tuples ran past the 5 s statement timeout; planned for the arrays given, it takes 65 ms).
    const sameKey = 't.nid = ? AND t.namespace = d.namespace AND t.object = d.object AND t.relation = d.relation';
    if (byId.namespace.length > 0) {
      await tx.execute(
        `DELETE FROM keto_relation_tuples t USING unnest(?::text[], ?::uuid[], ?::text[], ?::uuid[]) AS d(namespace, object, relation, subject_id)
         WHERE ${sameKey} AND t.subject_id = d.subject_id
           AND t.subject_set_namespace IS NULL AND t.subject_set_object IS NULL AND t.subject_set_relation IS NULL`,
        [byId.namespace, byId.object, byId.relation, byId.subject, where.nid],
      );
    }
    if (bySet.namespace.length > 0) {
      await tx.execute(
        `DELETE FROM keto_relation_tuples t
         USING unnest(?::text[], ?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[]) AS d(namespace, object, relation, set_namespace, set_object, set_relation)
         WHERE ${sameKey} AND t.subject_id IS NULL AND t.subject_set_namespace = d.set_namespace
           AND t.subject_set_object = d.set_object AND t.subject_set_relation = d.set_relation`,
        [bySet.namespace, bySet.object, bySet.relation, bySet.setNamespace, bySet.setObject, bySet.setRelation, where.nid],
      );
    }
  }

  private predicates(): Promise<Predicates> {
    this.network ??= this.determineNetwork().then(
      (where) => {
        this.nid = where.nid;
        return where;
      },
      (error: unknown) => {
        this.network = undefined;
        throw error;
      },
    );
    return this.network;
  }

  private async determineNetwork(): Promise<Predicates> {
    const oldest = () =>
      this.driver.query<{ id: string }>('SELECT id FROM networks ORDER BY created_at ASC, id ASC LIMIT 1');
    let rows = await oldest();
    if (rows.length === 0) {
      // Processes starting together on an empty database agree on one network: the first
      // to record its candidate in the settings table names it for all of them.
      const settings = this.driver.dialect.insertIgnoring('gatehouse_settings', ['name', 'value'], ['name'], 1);
      await this.driver.execute(settings, [NETWORK_KEY, uuidV4()]);
      const [chosen] = await this.driver.query<{ value: string }>('SELECT value FROM gatehouse_settings WHERE name = ?', [NETWORK_KEY]);
      const now = this.driver.dialect.timestamp(new Date());
      await this.driver.execute(this.driver.dialect.insertIgnoring('networks', ['id', 'created_at', 'updated_at'], ['id'], 1), [chosen!.value, now, now]);
      rows = await oldest();
    }
    const nid = String(rows[0]!.id).toLowerCase();
    await this.driver.execute(this.driver.dialect.insertIgnoring('gatehouse_head', ['nid', 'revision'], ['nid'], 1), [nid, 0]);
    return new Predicates(this.driver.dialect, nid);
  }

  tokenSecrets(): MaybePromise<readonly string[]> {
    const secrets = typeof this.paginationSecrets === 'function' ? this.paginationSecrets() : this.paginationSecrets;
    if (secrets.length > 0) return secrets;
    if (this.storedSecrets !== undefined) return this.storedSecrets;
    this.storedKey ??= this.storedPaginationKey().then(
      (key) => (this.storedSecrets = [key]),
      (error: unknown) => {
        this.storedKey = undefined;
        throw error;
      },
    );
    return this.storedKey;
  }

  /** The random key generated once per database when `secrets.pagination` is not configured. */
  private async storedPaginationKey(): Promise<string> {
    const read = () =>
      this.driver.query<{ value: string }>('SELECT value FROM gatehouse_settings WHERE name = ?', [PAGINATION_KEY]);
    let rows = await read();
    if (rows.length === 0) {
      await this.driver.execute(this.driver.dialect.insertIgnoring('gatehouse_settings', ['name', 'value'], ['name'], 1), [
        PAGINATION_KEY,
        randomBytes(32).toString('base64url'),
      ]);
      rows = await read();
    }
    return rows[0]!.value;
  }
}
