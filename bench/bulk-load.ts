import { openSqlDriver } from '../src/store/open.js';
import type { SqlDriver, SqlExecutor } from '../src/store/sql/driver.js';

/**
 * A secondary index of keto_relation_tuples, as the database describes it: its name and the
 * statement that creates it again exactly as it was.
 */
interface SecondaryIndex {
  readonly name: string;
  readonly create: string;
}

const TABLE = 'keto_relation_tuples';

/** The indexes `load` may run without, per dialect: all but those behind a constraint (and, on MySQL, the foreign key's). */
async function secondaryIndexes(tx: SqlExecutor, dialect: string): Promise<SecondaryIndex[]> {
  if (dialect === 'postgres') {
    const rows = await tx.query<{ name: string; create: string }>(
      `SELECT indexname AS name, indexdef AS "create" FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = ?
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = ?::regclass)
       ORDER BY indexname`,
      [TABLE, TABLE],
    );
    return rows;
  }
  if (dialect === 'sqlite') {
    return tx.query<{ name: string; create: string }>(
      "SELECT name, sql AS \"create\" FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
      [TABLE],
    );
  }
  // MySQL keeps the one index whose first column is nid that the foreign key needs.
  const columns = await tx.query<{ name: string; seq: unknown; column_name: string }>(
    `SELECT index_name AS name, seq_in_index AS seq, column_name FROM information_schema.statistics
     WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY index_name, seq_in_index`,
    [TABLE],
  );
  const byName = new Map<string, string[]>();
  for (const row of columns) {
    let list = byName.get(row.name);
    if (list === undefined) byName.set(row.name, (list = []));
    list.push(row.column_name);
  }
  const keptForForeignKey = [...byName].find(([, list]) => list[0] === 'nid')?.[0];
  return [...byName]
    .filter(([name]) => name !== keptForForeignKey)
    .map(([name, list]) => ({ name, create: `ALTER TABLE ${TABLE} ADD INDEX ${name} (${list.join(', ')})` }));
}

const dropIndex = (dialect: string, name: string): string =>
  dialect === 'mysql' ? `ALTER TABLE ${TABLE} DROP INDEX ${name}` : `DROP INDEX ${name}`;

/**
 * Runs `load`, which writes through gatehouse's store opened on the DSN it is given, with
 * the secondary indexes of the tuple table dropped, then creates them again with the
 * statements the database itself gave for them: one sorted build per index instead of an
 * index probe per inserted row, which is what a bulk load into a big table spends most of
 * its time on. On PostgreSQL the DSN `load` is given also turns off the row triggers of its
 * sessions (session_replication_role): the foreign key's check of every row against
 * `networks` (the store writes the network it read from there) and the triggers that log
 * Keto processes' writes (which skip gatehouse's own). The rows are those the store
 * writes; the schema ends as it was.
 */
export async function bulkLoad(dsn: string, load: (dsn: string) => Promise<void>): Promise<void> {
  const { driver } = await openSqlDriver(dsn, { statementTimeoutMs: 0, maxConnections: 1 });
  try {
    const dialect = driver.dialect.name;
    const indexes = await secondaryIndexes(driver, dialect);
    for (const index of indexes) await driver.execute(dropIndex(dialect, index.name));
    await load(dialect === 'postgres' ? withoutRowTriggers(dsn) : dsn);
    await buildIndexes(driver, indexes);
  } finally {
    await driver.close();
  }
}

function withoutRowTriggers(dsn: string): string {
  const url = new URL(dsn);
  url.searchParams.set('options', `${url.searchParams.get('options') ?? ''} -c session_replication_role=replica`.trim());
  return url.toString();
}

async function buildIndexes(driver: SqlDriver, indexes: readonly SecondaryIndex[]): Promise<void> {
  if (driver.dialect.name === 'postgres') {
    await driver.transaction(async (tx) => {
      // Per transaction: the sort of a big table's index stays in memory.
      await tx.execute("SET LOCAL maintenance_work_mem = '1GB'");
      for (const index of indexes) await tx.execute(index.create);
    }, { untimed: true });
    return;
  }
  // SQLite: as a schema change, so that the sort goes to temporary files (sqlite/driver.ts), as a migration's does.
  if (driver.dialect.name === 'sqlite') {
    await driver.transaction(async (tx) => {
      for (const index of indexes) await tx.execute(index.create);
    }, { schema: true });
    return;
  }
  for (const index of indexes) await driver.execute(index.create);
}
