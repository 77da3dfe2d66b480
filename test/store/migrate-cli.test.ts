/** `gatehouse migrate` as operators run it, including two runs racing on one fresh database. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { mysqlDatabase, postgresDatabase, sqliteFileDatabase, type TestDatabase } from './databases.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../bin/gatehouse.js', import.meta.url));

async function migrate(dsn: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'migrate', ...args], { env: { ...process.env, DSN: dsn } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const appliedCount = (stdout: string): number => Number(/Applied (\d+) migration/.exec(stdout)?.[1] ?? 0);

function cliCases(dialect: string, makeDatabase: () => Promise<TestDatabase>, walkBack: boolean): void {
  test(`${dialect}: two concurrent "migrate up" runs apply every step exactly once${walkBack ? '; status, down and a second up' : ''}`, async () => {
    const database = await makeDatabase();
    try {
      const [a, b] = await Promise.all([migrate(database.dsn, 'up', '--yes'), migrate(database.dsn, 'up', '--yes')]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(appliedCount(a.stdout) + appliedCount(b.stdout), 6);
      const status = await migrate(database.dsn, 'status');
      assert.equal(status.code, 0, status.stderr);
      assert.equal((status.stdout.match(/Applied$/gm) ?? []).length, 6);
      if (!walkBack) return;
      const again = await migrate(database.dsn, 'up', '--yes');
      assert.match(again.stdout, /All migrations are already applied/);
      const down = await migrate(database.dsn, 'down', '2', '--yes');
      assert.match(down.stdout, /Reverted 2 migration/, down.stderr);
      const after = await migrate(database.dsn, 'status');
      assert.equal(after.code, 0, after.stderr);
      assert.equal((after.stdout.match(/Pending$/gm) ?? []).length, 2, after.stdout);
    } finally {
      await database.drop();
    }
  });
}

describe('gatehouse migrate', () => {
  cliCases('SQLite', async () => sqliteFileDatabase(), true);
  const postgres = process.env['TEST_POSTGRES_DSN'];
  if (postgres) cliCases('PostgreSQL', () => postgresDatabase(postgres), false);
  else test('PostgreSQL', { skip: 'TEST_POSTGRES_DSN is not set' }, () => {});
  const mysql = process.env['TEST_MYSQL_DSN'];
  if (mysql) cliCases('MySQL', () => mysqlDatabase(mysql), false);
  else test('MySQL', { skip: 'TEST_MYSQL_DSN is not set' }, () => {});

  test('usage errors exit 2; an unreachable database exits 4 with the DSN masked', async () => {
    const sideways = await migrate('memory', 'sideways');
    assert.equal(sideways.code, 2, sideways.stderr);
    const unreachable = await migrate('postgres://admin:hunter2@127.0.0.1:1/db', 'status');
    assert.equal(unreachable.code, 4, unreachable.stderr);
    assert.match(unreachable.stderr, /postgres:\/\/admin:\*\*\*@127\.0\.0\.1:1\/db/);
    assert.doesNotMatch(unreachable.stderr, /hunter2/);
  });
});
