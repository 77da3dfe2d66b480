/**
 * Start-up time: from spawning `gatehouse serve` to the first `GET /health/ready` 200, and
 * the CPU time the process spent until then (which a busy machine distorts less than wall
 * time), on a migrated SQLite file, on a fresh SQLite file with --migrate, and on `dsn: memory`.
 * Also times `gatehouse version` end to end.
 *
 *   node dist/bench/serve-ready.js [runs=5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, readyEnv, serveToReady } from './ready-time.js';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-ready-'));
  const listenFile = join(dir, 'read.addr');
  const env = { ...readyEnv(listenFile), LOG_LEVEL: 'error' };
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
