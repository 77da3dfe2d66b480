import { gatehouseSteps, KETO_WRITER_TRIGGERS, loggedChangeSql, type DialectSchema, type KetoWriterLog } from './schema.js';

const SUBJECT_IS_ID = '((subject_set_namespace IS NULL) AND (subject_set_object IS NULL)) AND (subject_set_relation IS NULL)';

/**
 * A Keto process's row changes reach the changelog through triggers, one entry (and one
 * revision) per row. gatehouse's own writes log themselves: while one runs, its transaction
 * holds a row in gatehouse_writing, which only that transaction ever sees (SQLite has one
 * writer at a time, and the row is deleted before the commit).
 */
function ketoWriterTrigger(name: string, action: 'insert' | 'delete'): string {
  const row = action === 'insert' ? 'NEW' : 'OLD';
  return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER ${action.toUpperCase()} ON keto_relation_tuples
WHEN NOT EXISTS (SELECT 1 FROM gatehouse_writing)
BEGIN
  INSERT INTO gatehouse_head (nid, revision) VALUES (${row}.nid, 1) ON CONFLICT (nid) DO UPDATE SET revision = revision + 1;
  INSERT INTO gatehouse_changelog (nid, revision, committed_at, changes)
    SELECT ${row}.nid, h.revision, strftime('%Y-%m-%d %H:%M:%f', 'now') || '+00:00', ${loggedChangeSql(row, action, { object: 'json_object', array: 'json_array' })}
    FROM gatehouse_head h WHERE h.nid = ${row}.nid;
END`;
}

const KETO_WRITER_LOG: KetoWriterLog = {
  up: [
    'CREATE TABLE IF NOT EXISTS gatehouse_writing (marker INTEGER NOT NULL PRIMARY KEY)',
    ketoWriterTrigger(KETO_WRITER_TRIGGERS.insert, 'insert'),
    ketoWriterTrigger(KETO_WRITER_TRIGGERS.delete, 'delete'),
  ],
  down: [
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.delete}`,
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.insert}`,
    'DROP TABLE IF EXISTS gatehouse_writing',
  ],
};

/** SQLite: Keto's final layout (after its table rebuilds) and gatehouse's tables. */
export const sqliteSchema: DialectSchema = {
  keto: {
    up: [
      `CREATE TABLE IF NOT EXISTS networks (
  id TEXT PRIMARY KEY,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
)`,
      `CREATE TABLE IF NOT EXISTS keto_uuid_mappings (
  id UUID NOT NULL PRIMARY KEY,
  string_representation TEXT NOT NULL
)`,
      `CREATE TABLE IF NOT EXISTS keto_relation_tuples (
  shard_id UUID NOT NULL,
  nid UUID NOT NULL,
  namespace VARCHAR(200) NOT NULL,
  object UUID NOT NULL,
  relation VARCHAR(64) NOT NULL,
  subject_id UUID NULL,
  subject_set_namespace VARCHAR(200) NULL,
  subject_set_object UUID NULL,
  subject_set_relation VARCHAR(64) NULL,
  commit_time TIMESTAMP NOT NULL,
  PRIMARY KEY (shard_id, nid),
  CONSTRAINT keto_relation_tuples_nid_fk FOREIGN KEY (nid) REFERENCES networks (id) ON UPDATE RESTRICT ON DELETE CASCADE,
  CONSTRAINT chk_keto_rt_uuid_subject_type CHECK (
    ((subject_id IS NULL) AND (subject_set_namespace IS NOT NULL) AND (subject_set_object IS NOT NULL) AND (subject_set_relation IS NOT NULL))
    OR ((subject_id IS NOT NULL) AND ${SUBJECT_IS_ID})
  )
)`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_subject_ids_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_id) WHERE ${SUBJECT_IS_ID}`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_subject_sets_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_set_namespace, subject_set_object, subject_set_relation) WHERE subject_id IS NULL`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_full_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_id, subject_set_namespace, subject_set_object, subject_set_relation, commit_time)`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_reverse_subject_ids_idx ON keto_relation_tuples (nid, subject_id, relation, namespace) WHERE ${SUBJECT_IS_ID}`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_reverse_subject_sets_idx ON keto_relation_tuples (nid, subject_set_namespace, subject_set_object, subject_set_relation, relation, namespace) WHERE subject_id IS NULL`,
    ],
    down: ['DROP TABLE IF EXISTS keto_relation_tuples', 'DROP TABLE IF EXISTS keto_uuid_mappings', 'DROP TABLE IF EXISTS networks'],
  },
  gatehouse: gatehouseSteps({ uuid: 'TEXT', bigint: 'INTEGER', longText: 'TEXT', timestamp: 'TIMESTAMP' }, KETO_WRITER_LOG),
};
