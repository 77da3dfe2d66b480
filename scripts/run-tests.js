// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, after
// saying which SQL databases the run covers: SQLite always; PostgreSQL and MySQL only when
// TEST_POSTGRES_DSN / TEST_MYSQL_DSN name a server (CI sets both).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

for (const [name, variable] of [['PostgreSQL', 'TEST_POSTGRES_DSN'], ['MySQL', 'TEST_MYSQL_DSN']]) {
  if (!process.env[variable]) console.log(`# ${name} tests are skipped: set ${variable} to run them`);
}
const files = testFiles('dist/test').sort();
const result = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
