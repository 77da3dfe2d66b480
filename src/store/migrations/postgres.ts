import { gatehouseSteps, KETO_WRITER_TRIGGERS, loggedChangeSql, type DialectSchema, type KetoWriterLog } from './schema.js';

const SUBJECT_IS_ID = '((subject_set_namespace IS NULL) AND (subject_set_object IS NULL) AND (subject_set_relation IS NULL))';

const LOG_FUNCTION = 'gatehouse_log_keto_change';

/**
 * A Keto process's row changes reach the changelog through triggers, one entry (and one
 * revision) per row. gatehouse's own writes log themselves: each of its write transactions
 * sets gatehouse.writer (transaction-local), and the triggers' WHEN clause skips those rows
 * without calling the function.
 */
const KETO_WRITER_LOG: KetoWriterLog = {
  up: [
    `CREATE OR REPLACE FUNCTION ${LOG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  next_revision BIGINT;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO gatehouse_head AS h (nid, revision) VALUES (NEW.nid, 1)
      ON CONFLICT (nid) DO UPDATE SET revision = h.revision + 1 RETURNING h.revision INTO next_revision;
    INSERT INTO gatehouse_changelog (nid, revision, committed_at, changes)
      VALUES (NEW.nid, next_revision, clock_timestamp() AT TIME ZONE 'UTC', (${loggedChangeSql('NEW', 'insert', { object: 'json_build_object', array: 'json_build_array' })})::text);
  ELSE
    INSERT INTO gatehouse_head AS h (nid, revision) VALUES (OLD.nid, 1)
      ON CONFLICT (nid) DO UPDATE SET revision = h.revision + 1 RETURNING h.revision INTO next_revision;
    INSERT INTO gatehouse_changelog (nid, revision, committed_at, changes)
      VALUES (OLD.nid, next_revision, clock_timestamp() AT TIME ZONE 'UTC', (${loggedChangeSql('OLD', 'delete', { object: 'json_build_object', array: 'json_build_array' })})::text);
  END IF;
  RETURN NULL;
END
$body$`,
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.insert} ON keto_relation_tuples`,
    `CREATE TRIGGER ${KETO_WRITER_TRIGGERS.insert} AFTER INSERT ON keto_relation_tuples FOR EACH ROW
  WHEN (current_setting('gatehouse.writer', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION ${LOG_FUNCTION}()`,
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.delete} ON keto_relation_tuples`,
    `CREATE TRIGGER ${KETO_WRITER_TRIGGERS.delete} AFTER DELETE ON keto_relation_tuples FOR EACH ROW
  WHEN (current_setting('gatehouse.writer', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION ${LOG_FUNCTION}()`,
  ],
  down: [
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.delete} ON keto_relation_tuples`,
    `DROP TRIGGER IF EXISTS ${KETO_WRITER_TRIGGERS.insert} ON keto_relation_tuples`,
    `DROP FUNCTION IF EXISTS ${LOG_FUNCTION}()`,
  ],
};

const postgresTypes = { uuid: 'UUID', bigint: 'BIGINT', longText: 'TEXT', timestamp: 'TIMESTAMP' };

/** PostgreSQL: Keto's final layout (constraint and index names included) and gatehouse's tables. */
export const postgresSchema: DialectSchema = {
  keto: {
    up: [
      `CREATE TABLE IF NOT EXISTS networks (
  id UUID NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  CONSTRAINT networks_pkey PRIMARY KEY (id)
)`,
      `CREATE TABLE IF NOT EXISTS keto_uuid_mappings (
  id UUID NOT NULL,
  string_representation TEXT NOT NULL,
  CONSTRAINT keto_uuid_mappings_pkey PRIMARY KEY (id)
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
  CONSTRAINT keto_relation_tuples_uuid_pkey PRIMARY KEY (shard_id, nid),
  CONSTRAINT keto_relation_tuples_nid_fk FOREIGN KEY (nid) REFERENCES networks (id) ON UPDATE RESTRICT ON DELETE CASCADE,
  CONSTRAINT chk_keto_rt_uuid_subject_type CHECK (
    ((subject_id IS NULL) AND (subject_set_namespace IS NOT NULL) AND (subject_set_object IS NOT NULL) AND (subject_set_relation IS NOT NULL))
    OR ((subject_id IS NOT NULL) AND (subject_set_namespace IS NULL) AND (subject_set_object IS NULL) AND (subject_set_relation IS NULL))
  )
)`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_subject_ids_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_id) WHERE ${SUBJECT_IS_ID}`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_subject_sets_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_set_namespace, subject_set_object, subject_set_relation) WHERE (subject_id IS NULL)`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_full_idx ON keto_relation_tuples (nid, namespace, object, relation, subject_id, subject_set_namespace, subject_set_object, subject_set_relation, commit_time)`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_reverse_subject_ids_idx ON keto_relation_tuples (nid, subject_id, relation, namespace) WHERE ${SUBJECT_IS_ID}`,
      `CREATE INDEX IF NOT EXISTS keto_relation_tuples_uuid_reverse_subject_sets_idx ON keto_relation_tuples (nid, subject_set_namespace, subject_set_object, subject_set_relation, relation, namespace) WHERE (subject_id IS NULL)`,
    ],
    down: ['DROP TABLE IF EXISTS keto_relation_tuples', 'DROP TABLE IF EXISTS keto_uuid_mappings', 'DROP TABLE IF EXISTS networks'],
  },
  gatehouse: gatehouseSteps(postgresTypes, KETO_WRITER_LOG),
};

/**
 * CockroachDB: the same tables; the step that logs Keto processes' writes is recorded but
 * creates nothing (no trigger is installed there), so Keto writers sharing a CockroachDB
 * database are not followed.
 */
export const cockroachSchema: DialectSchema = {
  keto: postgresSchema.keto,
  gatehouse: gatehouseSteps(postgresTypes, { up: [], down: [] }),
};
