import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type GatehouseProcess, startGatehouseProcess } from '../test/support/server.js';

/** What the served benchmarks share: a warm, quiet gatehouse process, and the load generator run against it. */

export interface LoadResult {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
}

/** Runs the load generator in its own process against a loopback port for `durationMs`. */
export function runLoad(protocol: 'http' | 'grpc', port: number, requests: unknown[], concurrency: number, durationMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const generator = fileURLToPath(new URL('./load-generator.js', import.meta.url));
    const child = spawn(process.execPath, [generator, JSON.stringify({ protocol, port, requests, concurrency, durationMs })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), durationMs + 60_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(JSON.parse(out) as LoadResult);
      else reject(new Error(`load generator exited with ${code}`));
    });
  });
}

export async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts gatehouse over `dsn`, waits for its index to be warm, then silences its access log. */
export async function startServer(dsn: string, oplFile: string, index: { enabled: boolean; max_staleness: string }): Promise<GatehouseProcess> {
  const config = { dsn, namespaces: { location: pathToFileURL(oplFile).href }, index: { ...index }, log: { level: 'info', format: 'json' } };
  const gh = await startGatehouseProcess({ config, timeoutMs: 60_000 });
  const logged = (msg: string) => gh.logs.some((l) => typeof l === 'object' && l !== null && String((l as { msg?: unknown }).msg).startsWith(msg));
  if (index.enabled) await waitFor('the index to be warm', () => logged('index: warm'), 600_000);
  writeFileSync(gh.configFile, JSON.stringify({ ...JSON.parse(readFileSync(gh.configFile, 'utf8')), log: { level: 'error', format: 'json' } }));
  // The access log must be off before measuring: a request must no longer add a log line.
  const quiet = async () => {
    const before = gh.logs.length;
    await fetch(`${gh.url.read}/health/alive`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return gh.logs.length === before;
  };
  const until = Date.now() + 15_000;
  while (!(await quiet())) {
    if (Date.now() > until) throw new Error('the access log did not turn off after the configuration reload');
  }
  return gh;
}
