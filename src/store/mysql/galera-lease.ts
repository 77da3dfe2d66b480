import type { SqlExecutor } from '../sql/driver.js';
import { errorCode } from '../sql/failures.js';

/**
 * A lock that holds across the nodes of a MariaDB Galera cluster. GET_LOCK is local to the
 * node that grants it, so two processes migrating through two nodes would both get it. A
 * lease is a row instead: claiming it is a write, and Galera's certification lets one of two
 * concurrent claims commit and fails the other. A lease whose holder died ends by itself.
 */

const LEASE_TABLE = `CREATE TABLE IF NOT EXISTS gatehouse_leases (
  name VARCHAR(64) NOT NULL,
  holder CHAR(36) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

const RETRY_MS = 200;

/** Whether `tx` is on a Galera node with replication on. */
export async function onGalera(tx: SqlExecutor): Promise<boolean> {
  const rows = await tx.query<{ Value: unknown }>("SHOW VARIABLES LIKE 'wsrep_on'");
  return rows[0]?.Value === 'ON';
}

/**
 * Claims the lease `name` for `leaseSeconds` on the session of `tx`, waiting at most
 * `waitSeconds` for another holder to release it or for its lease to end. Each claim commits
 * on its own: call it outside of a transaction (a schema change has ended any on MySQL).
 */
export async function claimLease(tx: SqlExecutor, name: string, leaseSeconds: number, waitSeconds: number): Promise<void> {
  await tx.execute(LEASE_TABLE);
  await tx.execute('SET @gatehouse_lease_holder = UUID()');
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    try {
      await tx.execute(
        `INSERT INTO gatehouse_leases (name, holder, expires_at) VALUES (?, @gatehouse_lease_holder, UTC_TIMESTAMP(3) + INTERVAL ${leaseSeconds} SECOND)
         ON DUPLICATE KEY UPDATE
           holder = IF(expires_at < UTC_TIMESTAMP(3), VALUES(holder), holder),
           expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`,
        [name],
      );
      const rows = await tx.query<{ mine: unknown }>('SELECT holder = @gatehouse_lease_holder AS mine FROM gatehouse_leases WHERE name = ?', [name]);
      if (Number(rows[0]?.mine) === 1) return;
    } catch (error) {
      // Another node's claim was certified first.
      if (errorCode(error) !== 'ER_LOCK_DEADLOCK') throw error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the ${name} lease`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** Ends the lease `name` that `claimLease` took on the session of `tx`. */
export async function releaseLease(tx: SqlExecutor, name: string): Promise<void> {
  await tx.execute('DELETE FROM gatehouse_leases WHERE name = ? AND holder = @gatehouse_lease_holder', [name]);
}
