import type { RelationQuery, Subject } from '../../tuple.js';
import type { PagePosition } from '../page-token.js';
import type { Dialect, SqlValue } from './driver.js';
import type { Predicates } from './predicates.js';

/**
 * gatehouse's indexes for filtered listings (migration `gatehouse_listing_indexes`): each
 * ends with shard_id, so a filter on its leading columns is answered in index order, one
 * page at a time, without sorting every matching row. Keto's indexes all start with the
 * namespace or the subject and carry no tie-breaker, so alone they cannot serve a keyset.
 */
export const LISTING_INDEXES = {
  namespaceRelation: { name: 'gatehouse_tuples_namespace_relation_idx', columns: ['nid', 'namespace', 'relation', 'shard_id'] },
  relation: { name: 'gatehouse_tuples_relation_idx', columns: ['nid', 'relation', 'shard_id'] },
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
 * How a filtered listing is paged: the index that reads it and the order of its pages,
 * which ends with shard_id (the order is seen by clients only through opaque page tokens):
 *  - an object: its rows through the object index, in shard order;
 *  - a subject without an object: Keto's reverse index narrows it to that subject's rows,
 *    which each page sorts by shard id (one subject's rows, never a namespace's);
 *  - a namespace (and perhaps a relation): the namespace index, by relation, then shard;
 *  - a relation alone: the relation index, in shard order.
 */
export interface ListingOrder {
  readonly index: string | undefined;
  /** Pages go by relation, then shard id (a namespace without a relation). */
  readonly byRelation: boolean;
}

/** The primary key's order: every unfiltered listing and walk. */
export const SHARD_ORDER: ListingOrder = { index: undefined, byRelation: false };

export function listingOrder(dialect: Dialect, query: RelationQuery): ListingOrder {
  if (query.object !== undefined) return { index: LISTING_INDEXES.object.name, byRelation: false };
  if (query.subject !== undefined) return { index: subjectIndex(dialect, query.subject), byRelation: false };
  if (query.namespace !== undefined) return { index: LISTING_INDEXES.namespaceRelation.name, byRelation: query.relation === undefined };
  return { index: LISTING_INDEXES.relation.name, byRelation: false };
}

/** `ORDER BY` of a page in `order`, over the table alias `t`. */
export const orderBy = (order: ListingOrder): string => (order.byRelation ? 't.relation, t.shard_id' : 't.shard_id');

/** One query of a page: the rows it selects, ordered and limited. */
export interface PageQuery {
  readonly sql: string;
  readonly params: SqlValue[];
}

/**
 * The queries of one page of a filtered listing (`limit` rows at most, after `position`),
 * run in turn until `limit` rows are found; each is one range of its index. After a
 * position in a relation-ordered walk that is two ranges: the rest of the position's
 * relation, then the relations after it (a row comparison would be one range on SQLite and
 * PostgreSQL, but MySQL and MariaDB read it as a filter over the whole namespace).
 */
export function filteredPage(
  dialect: Dialect,
  where: Predicates,
  query: RelationQuery,
  position: PagePosition | undefined,
  limit: number,
): { queries: PageQuery[]; order: ListingOrder } {
  const order = listingOrder(dialect, query);
  const hint = order.index === undefined ? '' : dialect.indexHint(order.index);
  const select = (after: (params: SqlValue[]) => string | undefined, orderedBy: string): PageQuery => {
    const params: SqlValue[] = [];
    let sql = `SELECT t.* FROM keto_relation_tuples t ${hint} WHERE ${where.query(query, params)}`;
    const condition = after(params);
    if (condition !== undefined) sql += ` AND ${condition}`;
    return { sql: `${sql} ORDER BY ${orderedBy} LIMIT ${limit}`, params };
  };
  const shardAfter = (params: SqlValue[]): string | undefined => {
    if (position === undefined) return undefined;
    params.push(position.after);
    return 't.shard_id > ?';
  };
  if (!order.byRelation || position === undefined) return { queries: [select(shardAfter, orderBy(order))], order };
  const relation = position.relation ?? '';
  const sameRelation = select((params) => {
    params.push(relation, position.after);
    return 't.relation = ? AND t.shard_id > ?';
  }, 't.shard_id');
  const laterRelations = select((params) => {
    params.push(relation);
    return 't.relation > ?';
  }, orderBy(order));
  return { queries: [sameRelation, laterRelations], order };
}
