import { LISTING_INDEXES } from '../sql/list-order.js';

/** One dialect's schema: Keto's final tables as a single step, then gatehouse's own steps. */
export interface DialectSchema {
  /** Creates and drops Keto's tables, indexes and constraints exactly as Keto's migrations leave them. */
  readonly keto: { readonly up: readonly string[]; readonly down: readonly string[] };
  readonly gatehouse: readonly MigrationStep[];
}

export interface MigrationStep {
  readonly version: string;
  readonly name: string;
  readonly up: readonly Statement[];
  readonly down: readonly Statement[];
}

/**
 * A schema change, or one that is skipped when `unless` (a query) returns a row: what a
 * dialect without IF [NOT] EXISTS needs where its schema changes commit by themselves, so a
 * step killed after them and before its version was recorded runs again cleanly.
 */
export type Statement = string | { readonly sql: string; readonly unless: string };

/** Column types gatehouse's own tables need, per dialect. */
export interface GatehouseColumnTypes {
  readonly uuid: string;
  readonly bigint: string;
  readonly longText: string;
  readonly timestamp: string;
}

/** What makes writes that reach `keto_relation_tuples` without gatehouse (a Keto process's) append to the changelog. */
export interface KetoWriterLog {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * gatehouse's additions: its own tables, and triggers on Keto's table that log the writes
 * of Keto processes sharing the database; Keto's tables themselves are never altered.
 */
export function gatehouseSteps(
  types: GatehouseColumnTypes,
  ketoWriterLog: KetoWriterLog,
  tableOptions = '',
  indexes: IndexStatements = INDEXES_IF_NOT_EXISTS,
): MigrationStep[] {
  return [
    {
      version: '20261125000001000000',
      name: 'gatehouse_changelog',
      up: [
        `CREATE TABLE IF NOT EXISTS gatehouse_changelog (
  nid ${types.uuid} NOT NULL,
  revision ${types.bigint} NOT NULL,
  committed_at ${types.timestamp} NOT NULL,
  changes ${types.longText} NOT NULL,
  PRIMARY KEY (nid, revision)
)${tableOptions}`,
        `CREATE TABLE IF NOT EXISTS gatehouse_head (
  nid ${types.uuid} NOT NULL PRIMARY KEY,
  revision ${types.bigint} NOT NULL
)${tableOptions}`,
      ],
      down: ['DROP TABLE IF EXISTS gatehouse_head', 'DROP TABLE IF EXISTS gatehouse_changelog'],
    },
    {
      version: '20261125000002000000',
      name: 'gatehouse_settings',
      up: [
        `CREATE TABLE IF NOT EXISTS gatehouse_settings (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  value ${types.longText} NOT NULL
)${tableOptions}`,
      ],
      down: ['DROP TABLE IF EXISTS gatehouse_settings'],
    },
    {
      version: '20261201000001000000',
      name: 'gatehouse_changelog_horizon',
      up: [
        `CREATE TABLE IF NOT EXISTS gatehouse_changelog_horizon (
  nid ${types.uuid} NOT NULL PRIMARY KEY,
  pruned_through ${types.bigint} NOT NULL
)${tableOptions}`,
      ],
      down: ['DROP TABLE IF EXISTS gatehouse_changelog_horizon'],
    },
    {
      version: '20261201000002000000',
      name: 'gatehouse_keto_writer_log',
      up: ketoWriterLog.up,
      down: ketoWriterLog.down,
    },
    {
      version: '20261204000001000000',
      name: 'gatehouse_listing_indexes',
      up: indexes.create(Object.values(LISTING_INDEXES)),
      down: indexes.drop(Object.values(LISTING_INDEXES).map((index) => index.name)),
    },
  ];
}

/** How a dialect creates and drops indexes of keto_relation_tuples. */
export interface IndexStatements {
  create(indexes: readonly { readonly name: string; readonly columns: readonly string[] }[]): Statement[];
  drop(names: readonly string[]): Statement[];
}

export const INDEXES_IF_NOT_EXISTS: IndexStatements = {
  create: (indexes) => indexes.map((index) => `CREATE INDEX IF NOT EXISTS ${index.name} ON keto_relation_tuples (${index.columns.join(', ')})`),
  drop: (names) => names.map((name) => `DROP INDEX IF EXISTS ${name}`),
};

/** A dialect's JSON constructors, by name. */
export interface JsonFunctions {
  readonly object: string;
  readonly array: string;
}

/**
 * SQL for the changelog entry of one row of `keto_relation_tuples` a trigger sees (`row` is
 * NEW or OLD): the same JSON gatehouse writes (`{"i":[tuple],"d":[]}` for an insert, the
 * tuple under "d" for a delete), each tuple an array of its strings, objects and subject ids
 * looked up in keto_uuid_mappings (Keto writes a string's mapping before any row naming it).
 */
export function loggedChangeSql(row: string, action: 'insert' | 'delete', json: JsonFunctions): string {
  const text = (column: string) => `COALESCE((SELECT m.string_representation FROM keto_uuid_mappings m WHERE m.id = ${row}.${column}), '')`;
  const change = (tuple: string) => {
    const one = `${json.array}(${tuple})`;
    const none = `${json.array}()`;
    return action === 'insert' ? `${json.object}('i', ${one}, 'd', ${none})` : `${json.object}('i', ${none}, 'd', ${one})`;
  };
  const byId = `${json.array}(${row}.namespace, ${text('object')}, ${row}.relation, ${text('subject_id')})`;
  const bySet = `${json.array}(${row}.namespace, ${text('object')}, ${row}.relation, ${row}.subject_set_namespace, ${text('subject_set_object')}, ${row}.subject_set_relation)`;
  return `CASE WHEN ${row}.subject_id IS NOT NULL THEN ${change(byId)} ELSE ${change(bySet)} END`;
}

/** The triggers' names, the same in every dialect. */
export const KETO_WRITER_TRIGGERS = { insert: 'gatehouse_log_keto_insert', delete: 'gatehouse_log_keto_delete' } as const;
