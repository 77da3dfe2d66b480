import type { RelationTuple } from '../../tuple.js';
import { type ChangeEntry, ChangelogPruned } from '../store.js';
import { type Dialect, PREPARED, type SqlDriver, type SqlExecutor } from './driver.js';

/**
 * gatehouse's changelog in SQL: one row per committed write (`gatehouse_changelog`), the
 * head revision whose row lock orders commits (`gatehouse_head`), and how far it was pruned
 * (`gatehouse_changelog_horizon`).
 */

/** A tuple in the changelog: [ns, object, relation, subjectId] or [ns, object, relation, setNs, setObject, setRelation]. */
type EncodedTuple = [string, string, string, string] | [string, string, string, string, string, string];

interface EncodedChanges {
  i: EncodedTuple[];
  d: EncodedTuple[];
}

const encodeTuple = (t: RelationTuple): EncodedTuple =>
  'id' in t.subject
    ? [t.namespace, t.object, t.relation, t.subject.id]
    : [t.namespace, t.object, t.relation, t.subject.set.namespace, t.subject.set.object, t.subject.set.relation];

const decodeTuple = (e: EncodedTuple): RelationTuple => ({
  namespace: e[0],
  object: e[1],
  relation: e[2],
  subject: e.length === 4 ? { id: e[3] } : { set: { namespace: e[3], object: e[4], relation: e[5] } },
});

export const encodeChanges = (inserted: readonly RelationTuple[], deleted: readonly RelationTuple[]): string =>
  JSON.stringify({ i: inserted.map(encodeTuple), d: deleted.map(encodeTuple) } satisfies EncodedChanges);

export function decodeChanges(text: string): { inserted: RelationTuple[]; deleted: RelationTuple[] } {
  const changes = JSON.parse(text) as EncodedChanges;
  return { inserted: changes.i.map(decodeTuple), deleted: changes.d.map(decodeTuple) };
}

/** Tells the triggers that log Keto processes' writes that this transaction logs itself; first in a write transaction. */
export async function beginOwnWrite(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  for (const statement of dialect.ownWrite.begin) await tx.execute(statement, [], PREPARED);
}

/** Takes the next revision and records the write under it; last in a write transaction. */
export async function appendChange(
  tx: SqlExecutor,
  dialect: Dialect,
  nid: string,
  inserted: readonly RelationTuple[],
  deleted: readonly RelationTuple[],
): Promise<number> {
  // Taken last: the head row's lock is what orders commits, so it is held as briefly as possible.
  const revision = await dialect.nextRevision(tx, nid);
  await tx.execute('INSERT INTO gatehouse_changelog (nid, revision, committed_at, changes) VALUES (?, ?, ?, ?)', [
    nid,
    revision,
    dialect.timestamp(new Date()),
    encodeChanges(inserted, deleted),
  ], PREPARED);
  for (const statement of dialect.ownWrite.end) await tx.execute(statement, [], PREPARED);
  return revision;
}

/** The entries after `after`, at most `limit`; ChangelogPruned when some of them were pruned. */
export async function readChanges(on: SqlExecutor, nid: string, after: number, limit: number): Promise<ChangeEntry[]> {
  // One statement, so that entries and horizon come from one snapshot: a row with a
  // negative revision (-1 - pruned_through) says entries after `after` were pruned.
  const rows = await on.query<{ revision: unknown; changes: string | null }>(
    `SELECT c.revision, c.changes FROM (
       SELECT revision, changes FROM gatehouse_changelog WHERE nid = ? AND revision > ? ORDER BY revision LIMIT ${limit}
     ) c
     UNION ALL
     SELECT -1 - h.pruned_through, NULL FROM gatehouse_changelog_horizon h WHERE h.nid = ? AND h.pruned_through > ?`,
    [nid, after, nid, after],
    // Every follower sends it on every change it hears of: planned once per connection, not each time.
    PREPARED,
  );
  const pruned = rows.find((row) => Number(row.revision) < 0);
  if (pruned !== undefined) throw new ChangelogPruned(after, -1 - Number(pruned.revision));
  return rows
    .map((row) => ({ revision: Number(row.revision), ...decodeChanges(row.changes!) }))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Deletes at most about `batch` of the oldest entries committed before `before` (never the
 * newest) under the pruning lock, and moves the horizon; 0 when another process holds the lock.
 */
export function pruneChanges(driver: SqlDriver, nid: string, before: Date, batch: number): Promise<number> {
  const dialect = driver.dialect;
  const cutoff = dialect.timestamp(before);
  return driver.transaction(async (tx) => {
    if (!(await dialect.tryLockPruning(tx))) return 0;
    try {
      const rows = await tx.query<{ through: unknown }>(
        `SELECT MAX(o.revision) AS through FROM (
           SELECT revision FROM gatehouse_changelog
           WHERE nid = ? AND committed_at < ? AND revision < (SELECT MAX(l.revision) FROM gatehouse_changelog l WHERE l.nid = ?)
           ORDER BY revision LIMIT ${batch}
         ) o`,
        [nid, cutoff, nid],
      );
      const through = rows[0]?.through;
      if (through === null || through === undefined) return 0;
      const deleted = await tx.execute('DELETE FROM gatehouse_changelog WHERE nid = ? AND revision <= ?', [nid, Number(through)]);
      await tx.execute(dialect.insertIgnoring('gatehouse_changelog_horizon', ['nid', 'pruned_through'], ['nid'], 1), [nid, 0]);
      await tx.execute('UPDATE gatehouse_changelog_horizon SET pruned_through = ? WHERE nid = ? AND pruned_through < ?', [
        Number(through),
        nid,
        Number(through),
      ]);
      return deleted;
    } finally {
      await dialect.unlockPruning(tx);
    }
  });
}
