import type { DialectName } from '../sql/driver.js';

/**
 * Keto records its migrations in `schema_migration` (its migrator's default table): one
 * row per applied version. These are the versions Keto's migrations apply per dialect
 * up to the schema gatehouse uses (the last one adds ON DELETE CASCADE to the network
 * key); MySQL has two fewer because it has no partial indexes.
 */
const COMMON_HEAD = [
  '20150100000001000000', // networks
  '20201110175414000000', // relationtuple
  '20201110175414000001',
  '20210623162417000000',
  '20210623162417000001',
];
const PARTIAL_INDEXES = ['20210623162417000002', '20210623162417000003'];
const COMMON_TAIL = [
  '20210914134624000000', // legacy-cleanup
  '20220217152313000000', // nid_fk
  '20220512151000000000', // indices
  '20220513200300000000', // create-intermediary-uuid-table
  '20220513200400000000', // create-uuid-mapping-table
  '20220513200400000001', // uuid-mapping-remove-check
  '20220513200500000000', // uuid mapping (data migration)
  '20220513200600000000', // drop-old-non-uuid-table
  '20220513200600000001',
  '20230228091200000000', // add-on-delete-cascade-to-relationship
];

export function ketoVersions(dialect: DialectName): readonly string[] {
  return dialect === 'mysql'
    ? [...COMMON_HEAD, ...COMMON_TAIL]
    : [...COMMON_HEAD, ...PARTIAL_INDEXES, ...COMMON_TAIL];
}

export const KETO_MIGRATION_TABLE = 'schema_migration';

/** Keto's migrator also accepts a version recorded by its older releases as its first 14 digits. */
export const isRecorded = (version: string, recorded: ReadonlySet<string>): boolean =>
  recorded.has(version) || recorded.has(version.slice(0, 14));

/** The migration table as Keto's migrator creates it (run only when it does not exist). */
export const KETO_MIGRATION_TABLE_DDL = [
  `CREATE TABLE ${KETO_MIGRATION_TABLE} (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0)`,
  `CREATE UNIQUE INDEX ${KETO_MIGRATION_TABLE}_version_idx ON ${KETO_MIGRATION_TABLE} (version)`,
  `CREATE INDEX ${KETO_MIGRATION_TABLE}_version_self_idx ON ${KETO_MIGRATION_TABLE} (version_self)`,
];

/** gatehouse's own migration history, separate from Keto's so each tool sees only its own steps. */
export const GATEHOUSE_MIGRATION_TABLE = 'gatehouse_migrations';
export const GATEHOUSE_MIGRATION_TABLE_DDL = `CREATE TABLE ${GATEHOUSE_MIGRATION_TABLE} (version VARCHAR(48) NOT NULL PRIMARY KEY)`;
