/**
 * `gatehouse migrate up` killed with SIGKILL at a random moment of its run, then run again:
 * the second run completes (exit 0) and every migration is applied, whatever step the first
 * was in (PostgreSQL and SQLite run each step in a transaction; MySQL's DDL is not
 * transactional, so its steps must be idempotent).
 *
 * GATEHOUSE_MIGRATION_KILLS sets the trials per dialect (`npm run chaos`: 50).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { SqlMigrator } from '../../src/store/migrations/migrator.js';
import { KETO_MIGRATION_TABLE } from '../../src/store/migrations/keto-history.js';
import { openSqlDriver } from '../../src/store/open.js';
import type { SqlDriver, SqlExecutor, TransactionOptions } from '../../src/store/sql/driver.js';
import { SQL_DIALECTS } from '../store/databases.js';
import { GATEHOUSE_BIN } from '../support/server.js';
import { knob, sleep } from './support/requests.js';

const TRIALS = knob('GATEHOUSE_MIGRATION_KILLS', 4);
const run = promisify(execFile);

const migrate = async (dsn: string, ...args: string[]) => (await run(process.execPath, [GATEHOUSE_BIN, 'migrate', ...args], { env: { ...process.env, DSN: dsn } })).stdout;

/** Starts `migrate up` and kills it after `ms`; resolves with whether it was still running then. */
function killedAfter(dsn: string, ms: number): Promise<boolean> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, 'migrate', 'up', '--yes'], { env: { ...process.env, DSN: dsn }, stdio: 'ignore' });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL');
    });
  });
}

for (const dialect of SQL_DIALECTS) {
  describe(`migrate up killed on ${dialect.name}`, { skip: dialect.skip }, () => {
    test(`${TRIALS} runs killed at a random moment: the next run applies everything`, async (t) => {
      // The kills are spread from half the time a run needs to start and read the status (no
      // migration applied yet) to the time a whole run takes: a moment, not a chosen statement.
      const probe = await dialect.database();
      let started = performance.now();
      await migrate(probe.dsn, 'status');
      const startMs = performance.now() - started;
      started = performance.now();
      await migrate(probe.dsn, 'up', '--yes');
      const wholeMs = performance.now() - started;
      await probe.drop();

      let seed = 11;
      const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
      let cut = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const database = await dialect.database();
        try {
          const from = Math.min(startMs, wholeMs) / 2;
          if (await killedAfter(database.dsn, Math.round(from + next() * (wholeMs - from)))) cut++;
          await sleep(50);
          await migrate(database.dsn, 'up', '--yes');
          const status = await migrate(database.dsn, 'status');
          assert.doesNotMatch(status, /Pending$/m, status);
          assert.match(await migrate(database.dsn, 'up', '--yes'), /All migrations are already applied/);
        } finally {
          await database.drop();
        }
      }
      t.diagnostic(`${cut} of ${TRIALS} runs were killed before they ended (status ${Math.round(startMs)} ms, whole run ${Math.round(wholeMs)} ms)`);
    });
  });
}

for (const dialect of SQL_DIALECTS) {
  describe(`migrate up stopped right after it recorded Keto's first version on ${dialect.name}`, { skip: dialect.skip }, () => {
    test("the next run applies everything: Keto's history is recorded whole or not at all", async () => {
      const database = await dialect.database();
      const { driver, schema } = await openSqlDriver(database.dsn);
      try {
        const stop = new Error('stopped');
        // The step's statements run as usual; the run ends (as if killed) once the first one writing Keto's history has.
        const stopped: SqlDriver = Object.assign(Object.create(driver) as SqlDriver, {
          transaction: <T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions) =>
            driver.transaction(
              (tx) =>
                work({
                  query: (sql, params, queryOptions) => tx.query(sql, params, queryOptions),
                  queryArrays: (sql, params) => tx.queryArrays(sql, params),
                  execute: async (sql, params, queryOptions) => {
                    const changed = await tx.execute(sql, params, queryOptions);
                    if (sql.startsWith(`INSERT INTO ${KETO_MIGRATION_TABLE} `)) throw stop;
                    return changed;
                  },
                }),
              options,
            ),
        });
        await assert.rejects(new SqlMigrator(stopped, schema).up(), (error: Error) => error === stop || error.cause === stop);
        const migrator = new SqlMigrator(driver, schema);
        await migrator.up();
        assert.deepEqual(new Set((await migrator.status()).map((s) => s.state)), new Set(['applied']));
      } finally {
        await driver.close();
        await database.drop();
      }
    });
  });
}
