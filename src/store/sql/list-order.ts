import type { RelationQuery, Subject } from '../../tuple.js';
import type { PagePosition } from '../page-token.js';
import type { Dialect, SqlValue } from './driver.js';
import type { Predicates } from './predicates.js';

/**
 * gatehouse's indexes for filtered listings (migration `gatehouse_listing_indexes`). Each
 * ends with shard_id, so a namespace (and relation), or an object, is read in index order one
 * page at a time, without sorting. Keto's indexes start with the namespace or the subject and
 * carry no tie-breaker: they narrow a listing to one subject, whose rows a page sorts, but
 * cannot serve a keyset over a namespace or a relation, nor find an object without its namespace.
 */
export const LISTING_INDEXES = {
  namespaceRelation: { name: 'gatehouse_tuples_namespace_relation_idx', columns: ['nid', 'namespace', 'relation', 'shard_id'] },
  object: { name: 'gatehouse_tuples_object_idx', columns: ['nid', 'object', 'shard_id'] },
} as const;

/** Keto's reverse indexes: one subject's rows (MySQL has one for both kinds, the others a partial index per kind). */
const subjectIndex = (dialect: Dialect, subject: Subject): string =>
  dialect.name === 'mysql'
    ? 'keto_relation_tuples_uuid_reverse_subject_idx'
    : 'id' in subject
      ? 'keto_relation_tuples_uuid_reverse_subject_ids_idx'
      : 'keto_relation_tuples_uuid_reverse_subject_sets_idx';

/**
 * How a filtered listing is paged (clients see the order only through opaque page tokens):
 *  - an object: gatehouse's object index, in shard order;
 *  - a subject without an object: Keto's reverse index narrows it to the subject's rows,
 *    which a page sorts by shard id;
 *  - a namespace (and perhaps a relation): gatehouse's namespace index, by relation, then shard;
 *  - a relation alone: the namespace index namespace by namespace (the next namespace found
 *    by one index seek), pages by namespace, then shard id; the network's namespaces are the
 *    configured ones, few.
 * Keto's own persister pages in shard id order (older versions: the full tuple order).
 */
export interface ListingOrder {
  /** Pages go by relation, then shard id (a namespace without a relation). */
  readonly byRelation: boolean;
  /** Pages go namespace by namespace (a relation alone). */
  readonly byNamespace: boolean;
}

/** The primary key's order: every unfiltered listing and walk. */
export const SHARD_ORDER: ListingOrder = { byRelation: false, byNamespace: false };

export function listingOrder(query: RelationQuery): ListingOrder {
  return {
    byRelation: query.namespace !== undefined && query.object === undefined && query.relation === undefined && query.subject === undefined,
    byNamespace: query.namespace === undefined && query.object === undefined && query.subject === undefined,
  };
}

/** `ORDER BY` of a page in `order`, over the table alias `t`. */
export const orderBy = (order: ListingOrder): string =>
  order.byRelation ? 't.relation, t.shard_id' : order.byNamespace ? 't.namespace, t.shard_id' : 't.shard_id';

/** One query of a page: the rows it selects, ordered and limited. */
export interface PageQuery {
  readonly sql: string;
  readonly params: SqlValue[];
}

/**
 * The queries of one page of a filtered listing within one namespace (`namespace`: the one a
 * namespace-by-namespace walk is in, else undefined): `limit` rows at most after `position`,
 * run in turn until `limit` rows are found; each is one range of its index. After a position
 * in a relation-ordered walk that is two ranges: the rest of the position's relation, then the
 * relations after it (a row comparison would be one range on SQLite and PostgreSQL, but MySQL
 * and MariaDB read it as a filter over the whole namespace).
 */
export function pageQueries(
  dialect: Dialect,
  where: Predicates,
  query: RelationQuery,
  namespace: string | undefined,
  position: PagePosition | undefined,
  limit: number,
): PageQuery[] {
  const order = listingOrder(query);
  const index =
    query.object !== undefined
      ? LISTING_INDEXES.object.name
      : query.subject !== undefined
        ? subjectIndex(dialect, query.subject)
        : LISTING_INDEXES.namespaceRelation.name;
  const select = (after: (params: SqlValue[]) => string | undefined, orderedBy: string): PageQuery => {
    const params: SqlValue[] = [];
    let sql = `SELECT t.* FROM keto_relation_tuples t ${dialect.indexHint(index)} WHERE ${where.query(query, params)}`;
    if (namespace !== undefined) {
      // The index's own comparison: a namespace-by-namespace walk visits each group of equal names once.
      params.push(namespace);
      sql += ' AND t.namespace = ?';
    }
    const condition = after(params);
    if (condition !== undefined) sql += ` AND ${condition}`;
    return { sql: `${sql} ORDER BY ${orderedBy} LIMIT ${limit}`, params };
  };
  const shardAfter = (params: SqlValue[]): string | undefined => {
    if (position === undefined) return undefined;
    params.push(position.after);
    return 't.shard_id > ?';
  };
  if (!order.byRelation || position === undefined) return [select(shardAfter, order.byRelation ? orderBy(order) : 't.shard_id')];
  const relation = position.relation ?? '';
  const sameRelation = select((params) => {
    params.push(relation, position.after);
    return 't.relation = ? AND t.shard_id > ?';
  }, 't.shard_id');
  const laterRelations = select((params) => {
    params.push(relation);
    return 't.relation > ?';
  }, orderBy(order));
  return [sameRelation, laterRelations];
}

/** The first namespace of the network after `after` (the first of all without it): one index seek. */
export function nextNamespace(where: Predicates, after: string | undefined): PageQuery {
  const params: SqlValue[] = [where.nid];
  let sql = 'SELECT MIN(t.namespace) AS namespace FROM keto_relation_tuples t WHERE t.nid = ?';
  if (after !== undefined) {
    params.push(after);
    sql += ' AND t.namespace > ?';
  }
  return { sql, params };
}
