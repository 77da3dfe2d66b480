import type { ObjectRelation, RelationQuery, RelationTuple, Subject } from '../../tuple.js';
import { uuidV5 } from '../uuid.js';
import type { Dialect, SqlValue, SubjectKind } from './driver.js';

/**
 * WHERE fragments over `keto_relation_tuples t`. Strings become UUIDv5 under the network
 * id exactly as stored; every value is a bound parameter pushed onto `params`.
 */
export class Predicates {
  constructor(
    private readonly dialect: Dialect,
    readonly nid: string,
    /** The table alias columns are qualified with (`t.`), or '' for an unaliased DELETE. */
    private readonly alias = 't.',
  ) {}

  /** The same predicates over the unaliased table. */
  unaliased(): Predicates {
    return new Predicates(this.dialect, this.nid, '');
  }

  uuidOf(text: string): string {
    return uuidV5(this.nid, text);
  }

  subject(subject: Subject, params: SqlValue[]): string {
    if ('id' in subject) {
      params.push(this.uuidOf(subject.id));
      const a = this.alias;
      return `${a}subject_id = ? AND ${a}subject_set_namespace IS NULL AND ${a}subject_set_object IS NULL AND ${a}subject_set_relation IS NULL`;
    }
    const namespace = this.dialect.textEquals(`${this.alias}subject_set_namespace`, subject.set.namespace, params);
    params.push(this.uuidOf(subject.set.object));
    const relation = this.dialect.textEquals(`${this.alias}subject_set_relation`, subject.set.relation, params);
    return `${this.alias}subject_id IS NULL AND ${namespace} AND ${this.alias}subject_set_object = ? AND ${relation}`;
  }

  /** `nid = ?` and every field of the query that is set. */
  query(query: RelationQuery, params: SqlValue[]): string {
    params.push(this.nid);
    const parts = [`${this.alias}nid = ?`];
    if (query.namespace !== undefined) parts.push(this.dialect.textEquals(`${this.alias}namespace`, query.namespace, params));
    if (query.object !== undefined) {
      params.push(this.uuidOf(query.object));
      parts.push(`${this.alias}object = ?`);
    }
    if (query.relation !== undefined) parts.push(this.dialect.textEquals(`${this.alias}relation`, query.relation, params));
    if (query.subject !== undefined) parts.push(this.subject(query.subject, params));
    return parts.join(' AND ');
  }

  /** The rows equal to `tuple` (all its duplicates). */
  tuple(tuple: RelationTuple, params: SqlValue[]): string {
    return `(${this.query(tuple, params)})`;
  }

  /** Rows of the network on any of `keys`, grouped by namespace and relation (see `grouped`). */
  keys(keys: readonly ObjectRelation[], params: SqlValue[]): string {
    return this.grouped(keys, '', '', params);
  }

  /**
   * Rows of the network whose subject is one of the subjects of `kind` among `subjects` (an id,
   * or a subject set); undefined when there is none. Ids go in one list, subject sets grouped
   * by namespace and relation (see `grouped`).
   */
  subjectsOf(kind: SubjectKind, subjects: readonly Subject[], params: SqlValue[]): string | undefined {
    const a = this.alias;
    if (kind === 'ids') {
      const ids = new Set<string>();
      for (const s of subjects) if ('id' in s) ids.add(this.uuidOf(s.id));
      if (ids.size === 0) return undefined;
      params.push(this.nid, ...ids);
      // All three IS NULLs, as in the predicate of Keto's partial index on subject ids: without them it is not used.
      return `(${a}nid = ? AND ${a}subject_id IN (${[...ids].map(() => '?').join(', ')}) AND ${a}subject_set_namespace IS NULL AND ${a}subject_set_object IS NULL AND ${a}subject_set_relation IS NULL)`;
    }
    const sets = subjects.flatMap((s) => ('id' in s ? [] : [s.set]));
    return sets.length === 0 ? undefined : this.grouped(sets, 'subject_set_', `${a}subject_id IS NULL AND `, params);
  }

  /**
   * `(nid = ? AND ns = ? AND rel = ? AND object IN (…)) OR …` over `items` grouped by namespace
   * and relation, on the columns named `prefix` + namespace, object and relation, each group
   * with `also` after its nid. Each group names the network itself, so that each can be read
   * through an index that starts with nid (SQLite, given `nid = ? AND (… OR …)`, reads every
   * row of the network instead).
   */
  private grouped(items: readonly ObjectRelation[], prefix: '' | 'subject_set_', also: string, params: SqlValue[]): string {
    const groups = new Map<string, { namespace: string; relation: string; objects: Set<string> }>();
    for (const item of items) {
      const id = JSON.stringify([item.namespace, item.relation]);
      let group = groups.get(id);
      if (group === undefined) groups.set(id, (group = { namespace: item.namespace, relation: item.relation, objects: new Set() }));
      group.objects.add(this.uuidOf(item.object));
    }
    const column = `${this.alias}${prefix}`;
    const ors: string[] = [];
    for (const group of groups.values()) {
      params.push(this.nid);
      const namespace = this.dialect.textEquals(`${column}namespace`, group.namespace, params);
      const relation = this.dialect.textEquals(`${column}relation`, group.relation, params);
      params.push(...group.objects);
      ors.push(`(${this.alias}nid = ? AND ${also}${namespace} AND ${relation} AND ${column}object IN (${[...group.objects].map(() => '?').join(', ')}))`);
    }
    return `(${ors.join(' OR ')})`;
  }

  /** The identity a subject has in results (see `subjectId`). */
  subjectIdOf(s: Subject): string {
    return 'id' in s ? this.uuidOf(s.id) : keyId(s.set.namespace, this.uuidOf(s.set.object), s.set.relation);
  }
}

/** The identity of a subject in results: its id's UUID, or the subject set's namespace, object UUID and relation. */
export const subjectId = (row: { subject_id: string | null; subject_set_namespace: string | null; subject_set_object: string | null; subject_set_relation: string | null }): string =>
  row.subject_id !== null ? String(row.subject_id).toLowerCase() : keyId(row.subject_set_namespace ?? '', String(row.subject_set_object ?? ''), row.subject_set_relation ?? '');

/** The identity of a key in results: namespace, object UUID, relation. */
export const keyId = (namespace: string, objectUuid: string, relation: string): string =>
  `${namespace}\u0000${objectUuid.toLowerCase()}\u0000${relation}`;
