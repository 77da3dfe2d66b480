import { gatehouseSteps, KETO_WRITER_TRIGGERS, loggedChangeSql, type DialectSchema, type KetoWriterLog } from './schema.js';

/**
 * Identifier columns get a binary collation so `Group` and `group` differ (MySQL's
 * default collations fold case); queries also compare byte for byte, so a database
 * Keto created with its server's default collation behaves the same.
 */
const BINARY_TEXT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
const TABLE_OPTIONS = ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';

/**
 * A Keto process's row changes reach the changelog through triggers, one entry (and one
 * revision) per row. gatehouse's own writes log themselves: every connection of gatehouse's
 * pool sets the session variable @gatehouse_writer when it opens (mysql/driver.ts), and the
 * triggers skip rows written on such a connection.
 */
function ketoWriterTrigger(name: string, action: 'insert' | 'delete'): string {
  const row = action === 'insert' ? 'NEW' : 'OLD';
  return `CREATE TRIGGER ${name} AFTER ${action.toUpperCase()} ON keto_relation_tuples FOR EACH ROW
BEGIN
  DECLARE next_revision BIGINT;
  IF @gatehouse_writer IS NULL THEN
    INSERT INTO gatehouse_head (nid, revision) VALUES (${row}.nid, 1) ON DUPLICATE KEY UPDATE revision = revision + 1;
    SELECT revision INTO next_revision FROM gatehouse_head WHERE nid = ${row}.nid;
    INSERT INTO gatehouse_changelog (nid, revision, committed_at, changes)
      VALUES (${row}.nid, next_revision, UTC_TIMESTAMP(3), ${loggedChangeSql(row, action, { object: 'JSON_OBJECT', array: 'JSON_ARRAY' })});
  END IF;
END`;
}

const KETO_WRITER_LOG: KetoWriterLog = {
  up: [
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.insert}`,
    ketoWriterTrigger(KETO_WRITER_TRIGGERS.insert, 'insert'),
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.delete}`,
    ketoWriterTrigger(KETO_WRITER_TRIGGERS.delete, 'delete'),
  ],
  down: [`DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.delete}`, `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.insert}`],
};

/** How many of the named indexes keto_relation_tuples has, as a scalar subquery. */
const indexCount = (names: readonly string[]): string =>
  `(SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'keto_relation_tuples' AND index_name IN (${names.map((name) => `'${name}'`).join(', ')}))`;

/** MySQL and MariaDB: Keto's final layout (it has no partial indexes there) and gatehouse's tables. */
export const mysqlSchema: DialectSchema = {
  keto: {
    up: [
      `CREATE TABLE IF NOT EXISTS networks (
  id CHAR(36) NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (id)
)${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS keto_uuid_mappings (
  id CHAR(36) NOT NULL,
  string_representation TEXT ${BINARY_TEXT} NOT NULL,
  PRIMARY KEY (id)
)${TABLE_OPTIONS}`,
      `CREATE TABLE IF NOT EXISTS keto_relation_tuples (
  shard_id CHAR(36) NOT NULL,
  nid CHAR(36) NOT NULL,
  namespace VARCHAR(200) ${BINARY_TEXT} NOT NULL,
  object CHAR(36) NOT NULL,
  relation VARCHAR(64) ${BINARY_TEXT} NOT NULL,
  subject_id CHAR(36) NULL,
  subject_set_namespace VARCHAR(200) ${BINARY_TEXT} NULL,
  subject_set_object CHAR(36) NULL,
  subject_set_relation VARCHAR(64) ${BINARY_TEXT} NULL,
  commit_time TIMESTAMP NOT NULL,
  PRIMARY KEY (shard_id ASC, nid ASC),
  INDEX keto_relation_tuples_uuid_full_idx (nid, namespace, object, relation, subject_id, subject_set_namespace, subject_set_object, subject_set_relation, commit_time),
  INDEX keto_relation_tuples_uuid_reverse_subject_idx (nid, subject_id, subject_set_namespace, subject_set_object, subject_set_relation, relation, namespace),
  CONSTRAINT keto_relation_tuples_nid_fk FOREIGN KEY (nid) REFERENCES networks (id) ON UPDATE RESTRICT ON DELETE CASCADE,
  CONSTRAINT chk_keto_rt_uuid_subject_type CHECK (
    ((subject_id IS NULL) AND (subject_set_namespace IS NOT NULL) AND (subject_set_object IS NOT NULL) AND (subject_set_relation IS NOT NULL))
    OR ((subject_id IS NOT NULL) AND (subject_set_namespace IS NULL) AND (subject_set_object IS NULL) AND (subject_set_relation IS NULL))
  )
)${TABLE_OPTIONS}`,
    ],
    down: ['DROP TABLE IF EXISTS keto_relation_tuples', 'DROP TABLE IF EXISTS keto_uuid_mappings', 'DROP TABLE IF EXISTS networks'],
  },
  gatehouse: gatehouseSteps(
    { uuid: 'CHAR(36)', bigint: 'BIGINT', longText: `LONGTEXT ${BINARY_TEXT}`, timestamp: 'DATETIME(3)' },
    KETO_WRITER_LOG,
    TABLE_OPTIONS,
    // MySQL has no IF [NOT] EXISTS for indexes (MariaDB has) and commits an ALTER by itself:
    // one ALTER adds or drops them all or none, skipped when that is already done.
    {
      create: (indexes) => [
        {
          sql: `ALTER TABLE keto_relation_tuples ${indexes.map((index) => `ADD INDEX ${index.name} (${index.columns.join(', ')})`).join(', ')}`,
          unless: `SELECT 1 FROM DUAL WHERE ${indexes.length} = ${indexCount(indexes.map((index) => index.name))}`,
        },
      ],
      drop: (names) => [
        {
          sql: `ALTER TABLE keto_relation_tuples ${names.map((name) => `DROP INDEX ${name}`).join(', ')}`,
          unless: `SELECT 1 FROM DUAL WHERE 0 = ${indexCount(names)}`,
        },
      ],
    },
  ),
};
