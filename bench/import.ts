/**
 * Bulk import throughput of the command line: `gatehouse relation-tuple import` streaming
 * TOTAL tuples (text form) into a live server, on SQLite (file) and, when TEST_POSTGRES_DSN
 * names a server, on a fresh PostgreSQL database. Also measures the importing process's peak
 * RSS (sampled from /proc) and `relation-tuple export` throughput, which doubles as the check
 * that every tuple arrived.
 *
 *   node dist/bench/import.js [TOTAL] [BATCH] [CONCURRENCY] [--only sqlite|postgres] [--skip-export]
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { GATEHOUSE_BIN, startGatehouseProcess } from '../test/support/server.js';
import { printFigure } from './figure.js';

const argv = process.argv.slice(2);
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
const positional = argv.filter((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
const skipExport = process.argv.includes('--skip-export');
const total = Number(positional[0] ?? 1_000_000);
const batch = Number(positional[1] ?? 1_000);
const concurrency = Number(positional[2] ?? 4);
const NAMESPACES = [{ name: 'groups' }, { name: 'documents' }];

function tupleLine(i: number): string {
  return i % 4 === 0
    ? `groups:group-${i % 997}#member@(groups:group-${i % 13}#member)\n`
    : `documents:doc-${i}#viewer@user-${i % 5003}\n`;
}

async function writeInput(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < total; i++) {
    if (!out.write(tupleLine(i))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

/** Runs the CLI; resolves with its exit code, stderr and peak resident memory. */
function runCli(args: string[]): Promise<{ code: number | null; stderr: string; peakRssBytes: number }> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let peak = 0;
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const sample = setInterval(() => {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (rss) peak = Math.max(peak, Number(rss[1]) * 1024);
    } catch {
      // the process has just exited
    }
  }, 100);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code, stderr, peakRssBytes: peak });
    }),
  );
}

async function measure(name: string, database: TestDatabase, input: string, dir: string): Promise<void> {
  const configFile = join(dir, `${name}.json`);
  const config = { dsn: database.dsn, namespaces: NAMESPACES };
  writeFileSync(configFile, JSON.stringify(config));
  const migrated = await runCli(['migrate', 'up', '--yes', '-c', configFile]);
  if (migrated.code !== 0) throw new Error(`migrate up failed: ${migrated.stderr}`);
  const server = await startGatehouseProcess({ config });
  try {
    const remote = ['--write-remote', server.grpc.write, '--read-remote', server.grpc.read, '--insecure-disable-transport-security'];
    const started = process.hrtime.bigint();
    const imported = await runCli(['relation-tuple', 'import', input, '--batch-size', String(batch), '--concurrency', String(concurrency), ...remote]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    printFigure({ part: 'cli-import', name: `${name} import throughput (${total} tuples, batches of ${batch}, ${concurrency} in flight)`, value: Math.round(total / seconds), unit: 'tuples/s' });
    printFigure({ part: 'cli-import', name: `${name} import peak RSS of the CLI`, value: Math.round(imported.peakRssBytes / 2 ** 20), unit: 'MiB' });

    if (skipExport) return;
    const exportFile = join(dir, `${name}.export.jsonl`);
    const exportStarted = process.hrtime.bigint();
    const exported = await runCli(['relation-tuple', 'export', '-o', exportFile, ...remote]);
    const exportSeconds = Number(process.hrtime.bigint() - exportStarted) / 1e9;
    if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
    const lines = await countLines(exportFile);
    if (lines !== total) throw new Error(`export wrote ${lines} tuples, expected ${total}`);
    printFigure({ part: 'cli-import', name: `${name} export throughput`, value: Math.round(total / exportSeconds), unit: 'tuples/s' });
    printFigure({ part: 'cli-import', name: `${name} export peak RSS of the CLI`, value: Math.round(exported.peakRssBytes / 2 ** 20), unit: 'MiB' });
  } finally {
    await server.stop();
    await database.drop();
  }
}

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) for (const byte of chunk as Buffer) if (byte === 10) n++;
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-import-'));
try {
  const input = join(dir, 'tuples.txt');
  await writeInput(input);
  if (only !== 'postgres') await measure('sqlite', sqliteFileDatabase(), input, dir);
  const postgres = process.env['TEST_POSTGRES_DSN'];
  if (only === 'sqlite') console.log('postgres skipped: --only sqlite');
  else if (postgres) await measure('postgres', await postgresDatabase(postgres), input, dir);
  else console.log('postgres skipped: TEST_POSTGRES_DSN is not set');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
