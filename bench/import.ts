/**
 * Bulk import throughput of the command line: `gatehouse relation-tuple import` streaming
 * TOTAL tuples (text form) into a live server, on SQLite (file) and, when TEST_POSTGRES_DSN
 * names a server, on a fresh PostgreSQL database. Also measures `relation-tuple export`
 * throughput, which doubles as the check that every tuple arrived.
 *
 * The server's CPU time, the bytes it had written to disk and (where the kernel's delay accounting
 * is on) the time it waited for block I/O, per tuple imported (/proc), beside the wall time per
 * tuple: what bounds the import.
 *
 * Memory of the CLI process, sampled from /proc every 100 ms over the whole run: its peak
 * (the kernel's high-water mark VmHWM, so a spike between two samples still counts) and its
 * resident size (VmRSS) when the run passes 10%, 20%, … 90% and at its end, so a flat line can
 * be read off. Progress is the import's read offset in its input file and the export's bytes
 * written out of the bytes it will write (known from the input).
 *
 * `--synchronous LEVEL` opens the SQLite file with `_synchronous=LEVEL` (default: gatehouse's own, FULL).
 *
 *   node dist/bench/import.js [TOTAL] [BATCH] [CONCURRENCY] [--only sqlite|postgres] [--skip-export] [--synchronous LEVEL]
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresDatabase, sqliteFileDatabase, type TestDatabase } from '../test/store/databases.js';
import { GATEHOUSE_BIN, startGatehouseProcess } from '../test/support/server.js';
import { goJson } from '../src/cli/output.js';
import { tupleFromTextLine } from '../src/cli/tuple-files.js';
import { tupleToKeto } from '../src/api/keto-json.js';
import { printFigure } from './figure.js';
import { cpuMsIn, procStatOf } from './served-process.js';

const argv = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const only = valueOf('--only');
const synchronous = valueOf('--synchronous');
const positional = argv.filter((a, i) => !a.startsWith('--') && !['--only', '--synchronous'].includes(argv[i - 1]!));
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

/** Writes the input; resolves with the number of bytes `relation-tuple export` will write for it (JSON lines). */
async function writeInput(path: string): Promise<number> {
  const out = createWriteStream(path);
  let exportBytes = 0;
  for (let i = 0; i < total; i++) {
    const line = tupleLine(i);
    exportBytes += Buffer.byteLength(goJson(tupleToKeto(tupleFromTextLine(line)!), false));
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return exportBytes;
}

const MiB = 2 ** 20;
const SQLITE_IMPORT_TARGET = 4 * 3_600;
const TENTHS = 9;

interface CliRun {
  code: number | null;
  stderr: string;
  /** The highest VmHWM sampled. */
  peakRssBytes: number;
  /** VmRSS at the first sample past 10%, 20%, … 90% of the progress (undefined if no sample saw it). */
  rssAtTenths: (number | undefined)[];
  /** VmRSS at the last sample before the process ended. */
  rssAtEnd: number;
}

/** Runs the CLI, sampling its memory and, when given, its progress (0..1) every 100 ms. */
function runCli(args: string[], progressOf?: (pid: number) => number | undefined): Promise<CliRun> {
  const child = spawn(process.execPath, [GATEHOUSE_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const run: CliRun = { code: null, stderr: '', peakRssBytes: 0, rssAtTenths: new Array(TENTHS).fill(undefined), rssAtEnd: 0 };
  let nextTenth = 1;
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const sample = setInterval(() => {
    let status: string;
    try {
      status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    } catch {
      return; // the process has just exited
    }
    const rssLine = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!rssLine) return; // exiting: the memory is gone already
    const rss = kib(rssLine);
    run.peakRssBytes = Math.max(run.peakRssBytes, rss, kib(/VmHWM:\s+(\d+) kB/.exec(status)));
    run.rssAtEnd = rss;
    const done = progressOf?.(child.pid!);
    for (; done !== undefined && nextTenth <= TENTHS && done >= nextTenth / 10; nextTenth++) run.rssAtTenths[nextTenth - 1] = rss;
  }, 100);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ ...run, code, stderr });
    }),
  );
}

interface ServerUsage {
  cpuMs: number;
  /** What the process caused to be written to the storage layer (/proc/PID/io write_bytes). */
  writeBytes: number;
  /** Time spent waiting for block I/O (fsync, the kernel throttling a writer of dirty pages); 0 unless DELAY_ACCOUNTING. */
  blockIoWaitMs: number;
}

/** Whether the kernel counts each process's block I/O waits (/proc/PID/stat's delayacct_blkio_ticks). */
const DELAY_ACCOUNTING = (() => {
  try {
    return readFileSync('/proc/sys/kernel/task_delayacct', 'utf8').trim() === '1';
  } catch {
    return false;
  }
})();

function serverUsage(pid: number | undefined): ServerUsage | undefined {
  const stat = procStatOf(pid);
  if (stat === undefined) return undefined;
  try {
    const writeBytes = /write_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    // delayacct_blkio_ticks is field 42.
    return writeBytes ? { cpuMs: cpuMsIn(stat), writeBytes: Number(writeBytes[1]), blockIoWaitMs: Number(stat[39]) * 10 } : undefined;
  } catch {
    return undefined;
  }
}

const kib = (match: RegExpExecArray | null) => (match ? Number(match[1]) * 1024 : 0);

/** How far `pid` has read `path`: the offset of its open descriptor (from /proc); undefined while none is open. */
function readOffsetShare(path: string, size: number): (pid: number) => number | undefined {
  const target = realpathSync(path);
  return (pid) => {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== target) continue;
        const pos = /pos:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        return pos ? Number(pos[1]) / size : undefined;
      }
    } catch {
      // a descriptor closed while being read
    }
    return undefined;
  };
}

/** How much of `expectedBytes` has been written to `path`. */
function writtenShare(path: string, expectedBytes: number): () => number | undefined {
  return () => {
    try {
      return statSync(path).size / expectedBytes;
    } catch {
      return undefined; // not created yet
    }
  };
}

function reportMemory(label: string, run: CliRun): void {
  printFigure({ part: 'cli-import', name: `${label} peak RSS of the CLI`, value: Math.round(run.peakRssBytes / MiB), unit: 'MiB' });
  // Start-up and the first pages settle in the first half; a flat process adds nothing in the second.
  const half = run.rssAtTenths[4];
  if (half !== undefined) {
    printFigure({ part: 'cli-import', name: `${label} RSS growth of the CLI over the second half of the run`, value: Math.round((run.rssAtEnd - half) / MiB), unit: 'MiB' });
  }
  const points = run.rssAtTenths.map((rss, i) => `${(i + 1) * 10}% ${rss === undefined ? '-' : Math.round(rss / MiB)}`);
  console.log(`${label} RSS of the CLI by progress (MiB): ${points.join(', ')}, end ${Math.round(run.rssAtEnd / MiB)}`);
}

async function measure(name: string, database: TestDatabase, input: string, exportBytes: number, dir: string): Promise<void> {
  const configFile = join(dir, `${name}.json`);
  const config = { dsn: database.dsn, namespaces: NAMESPACES };
  writeFileSync(configFile, JSON.stringify(config));
  const migrated = await runCli(['migrate', 'up', '--yes', '-c', configFile]);
  if (migrated.code !== 0) throw new Error(`migrate up failed: ${migrated.stderr}`);
  const server = await startGatehouseProcess({ config });
  try {
    const remote = ['--write-remote', server.grpc.write, '--read-remote', server.grpc.read, '--insecure-disable-transport-security'];
    const serverBefore = serverUsage(server.child.pid);
    const started = process.hrtime.bigint();
    const importArgs = ['relation-tuple', 'import', input, '--batch-size', String(batch), '--concurrency', String(concurrency), ...remote];
    const imported = await runCli(importArgs, readOffsetShare(input, statSync(input).size));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const rate = Math.round(total / seconds);
    // SQLite's target: 4× the 3.6k tuples/s measured at 1M tuples before the work on it.
    const target = name === 'sqlite' ? { target: `≥ ${SQLITE_IMPORT_TARGET} tuples/s`, met: rate >= SQLITE_IMPORT_TARGET } : {};
    const settings = name === 'sqlite' && synchronous !== undefined ? `, _synchronous=${synchronous}` : '';
    printFigure({ part: 'cli-import', name: `${name} import throughput (${total} tuples, batches of ${batch}, ${concurrency} in flight${settings})`, value: rate, unit: 'tuples/s', ...target });
    reportMemory(`${name} import`, imported);
    const serverAfter = serverUsage(server.child.pid);
    if (serverBefore !== undefined && serverAfter !== undefined) {
      const per = (key: keyof ServerUsage, scale: number) => Math.round(((serverAfter[key] - serverBefore[key]) * scale) / total);
      printFigure({ part: 'cli-import', name: `${name} import: the server's CPU time per tuple`, value: per('cpuMs', 1000), unit: 'µs/tuple' });
      printFigure({ part: 'cli-import', name: `${name} import: wall time per tuple`, value: Math.round((seconds * 1e6) / total), unit: 'µs/tuple' });
      if (name === 'sqlite') {
        // PostgreSQL's own processes write its files; SQLite's are written by the server process.
        printFigure({ part: 'cli-import', name: `${name} import: bytes the server wrote to disk per tuple`, value: per('writeBytes', 1 / 1024), unit: 'KiB/tuple' });
        if (DELAY_ACCOUNTING) printFigure({ part: 'cli-import', name: `${name} import: time the server waited for block I/O per tuple`, value: per('blockIoWaitMs', 1000), unit: 'µs/tuple' });
        else console.log(`${name} import: the time waited for block I/O is not measured: the kernel's delay accounting is off (sysctl kernel.task_delayacct=1)`);
      }
    }

    if (skipExport) return;
    const exportFile = join(dir, `${name}.export.jsonl`);
    const exportStarted = process.hrtime.bigint();
    const exported = await runCli(['relation-tuple', 'export', '-o', exportFile, ...remote], writtenShare(exportFile, exportBytes));
    const exportSeconds = Number(process.hrtime.bigint() - exportStarted) / 1e9;
    if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
    const lines = await countLines(exportFile);
    if (lines !== total) throw new Error(`export wrote ${lines} tuples, expected ${total}`);
    printFigure({ part: 'cli-import', name: `${name} export throughput`, value: Math.round(total / exportSeconds), unit: 'tuples/s' });
    reportMemory(`${name} export`, exported);
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
  const exportBytes = await writeInput(input);
  if (only !== 'postgres') {
    const sqlite = sqliteFileDatabase();
    await measure('sqlite', synchronous === undefined ? sqlite : { ...sqlite, dsn: `${sqlite.dsn}&_synchronous=${synchronous}` }, input, exportBytes, dir);
  }
  const postgres = process.env['TEST_POSTGRES_DSN'];
  if (only === 'sqlite') console.log('postgres skipped: --only sqlite');
  else if (postgres) await measure('postgres', await postgresDatabase(postgres), input, exportBytes, dir);
  else console.log('postgres skipped: TEST_POSTGRES_DSN is not set');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
