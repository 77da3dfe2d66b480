/** One dialect's schema: Keto's final tables as a single step, then gatehouse's own steps. */
export interface DialectSchema {
  /** Creates and drops Keto's tables, indexes and constraints exactly as Keto's migrations leave them. */
  readonly keto: { readonly up: readonly string[]; readonly down: readonly string[] };
  readonly gatehouse: readonly MigrationStep[];
}

export interface MigrationStep {
  readonly version: string;
  readonly name: string;
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/** Column types gatehouse's own tables need, per dialect. */
export interface GatehouseColumnTypes {
  readonly uuid: string;
  readonly bigint: string;
  readonly longText: string;
  readonly timestamp: string;
}

/** gatehouse's additions: new tables only; Keto's tables are never altered. */
export function gatehouseSteps(types: GatehouseColumnTypes, tableOptions = ''): MigrationStep[] {
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
  ];
}
