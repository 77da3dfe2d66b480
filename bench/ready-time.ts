import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuMsOf } from './served-process.js';

export const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

/** The environment of a `serve` on loopback ports the OS picks, the read port's address written to `listenFile`. */
export const readyEnv = (listenFile: string): NodeJS.ProcessEnv => ({
  ...process.env,
  SERVE_READ_HOST: '127.0.0.1',
  SERVE_READ_PORT: '0',
  SERVE_READ_WRITE_LISTEN_FILE: pathToFileURL(listenFile).href,
  SERVE_WRITE_PORT: '0',
  SERVE_OPL_PORT: '0',
  SERVE_METRICS_PORT: '0',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns `gatehouse serve ARGS` and times it until the read port's `/health/ready` answers 200; stops it again. */
export async function serveToReady(
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
    const cpu = cpuMsOf(child.pid);
    if (cpu === undefined) throw new Error(`cannot read the CPU time of the served process (pid ${child.pid})`);
    return { wall: performance.now() - started, cpu };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}
