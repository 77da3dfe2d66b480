/**
 * Start-up time: from spawning `gatehouse serve` to the first `GET /health/ready` 200, and
 * the CPU time the process spent until then (which a busy machine distorts less than wall
 * time), on a migrated SQLite file, on a fresh SQLite file with --migrate, and on `dsn: memory`.
 * Also times `gatehouse version` end to end.
 *
 *   node dist/bench/serve-ready.js [runs=5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a live process, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serveToReady(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  listenFile: string,
): Promise<{ wall: number; cpu: number }> {
  rmSync(listenFile, { force: true });
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`gatehouse serve exited (${child.exitCode ?? child.signalCode}) before it was ready: ${stderr}`);
    }
  };
  try {
    while (!existsSync(listenFile) || !readFileSync(listenFile, 'utf8').includes(':')) {
      exited();
      await sleep(2);
    }
    const written = readFileSync(listenFile, 'utf8');
    const url = `http://127.0.0.1:${written.slice(written.lastIndexOf(':') + 1)}/health/ready`;
    for (;;) {
      const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      exited();
      await sleep(2);
    }
    return { wall: performance.now() - started, cpu: cpuMs(child.pid!) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ready-'));
  const listenFile = join(dir, 'read.addr');
  const env = {
    ...process.env,
    LOG_LEVEL: 'error',
    SERVE_READ_HOST: '127.0.0.1',
    SERVE_READ_PORT: '0',
    SERVE_READ_WRITE_LISTEN_FILE: pathToFileURL(listenFile).href,
    SERVE_WRITE_PORT: '0',
    SERVE_OPL_PORT: '0',
    SERVE_METRICS_PORT: '0',
  };
  const sqlite = (name: string) => `sqlite://${join(dir, name)}`;
  try {
    const migratedEnv = { ...env, DSN: sqlite('migrated.sqlite') };
    const migrated = spawnSync(process.execPath, [BIN, 'migrate', 'up', '--yes'], { env: migratedEnv, stdio: 'ignore' });
    if (migrated.status !== 0) throw new Error('gatehouse migrate up failed');
    const scenarios: { name: string; args: string[]; env: (run: number) => NodeJS.ProcessEnv }[] = [
      { name: 'migrated SQLite file', args: [], env: () => migratedEnv },
      { name: 'fresh SQLite file, --migrate', args: ['--migrate'], env: (run) => ({ ...env, DSN: sqlite(`fresh-${run}.sqlite`) }) },
      { name: 'dsn memory', args: [], env: () => ({ ...env, DSN: 'memory' }) },
    ];
    for (const scenario of scenarios) {
      const ready: string[] = [];
      for (let run = 0; run < runs; run++) {
        const { wall, cpu } = await serveToReady(scenario.args, scenario.env(run), listenFile);
        ready.push(`${Math.round(wall)} ms (${Math.round(cpu)} ms CPU)`);
      }
      console.log(`serve → /health/ready 200, ${scenario.name}: ${ready.join(', ')}`);
    }
    const version: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      spawnSync(process.execPath, [BIN, 'version'], { stdio: 'ignore' });
      version.push(Math.round(performance.now() - started));
    }
    console.log(`gatehouse version: ${version.map((ms) => `${ms} ms`).join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
