import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Starts `gatehouse serve` as a child process on free loopback ports and waits until it is
 * ready. Every port is 0 (the OS picks) and read back from the listen files gatehouse writes
 * (`serve.*.write_listen_file`), so this works at any log level.
 *
 *   const gh = await startGatehouseProcess({ config: { namespaces: [{ name: 'files' }] } });
 *   await fetch(`${gh.url.read}/health/ready`);
 *   await gh.stop();            // SIGTERM, resolves with the exit code
 */

export const GATEHOUSE_BIN = fileURLToPath(new URL('../../../bin/gatehouse.js', import.meta.url));

export type Endpoint = 'read' | 'write' | 'opl' | 'metrics';

export interface StartOptions {
  /** The program and the arguments before `serve` (default: node bin/gatehouse.js). */
  command?: readonly string[];
  /** Written to a temporary JSON config file passed with -c. DSN defaults to "memory". */
  config?: Record<string, unknown>;
  /** Extra environment variables (they override the config file). */
  env?: Record<string, string>;
  /** Extra arguments after `serve`, e.g. more `-c` files. */
  args?: string[];
  /** Wait for GET /health/ready to answer 200 (default true). */
  waitReady?: boolean;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** The working directory (default this process's). */
  cwd?: string;
}

export interface GatehouseProcess {
  readonly child: ChildProcess;
  readonly ports: Readonly<Record<Endpoint, number>>;
  /** `http://127.0.0.1:PORT` (or https:// when the port serves TLS). */
  readonly url: Readonly<Record<Endpoint, string>>;
  /** `127.0.0.1:PORT`, for gRPC clients. */
  readonly grpc: Readonly<Record<Endpoint, string>>;
  /** Every stdout line so far, parsed as JSON where possible. */
  readonly logs: unknown[];
  readonly stderr: () => string;
  /** The temporary config file, to edit for hot-reload tests. */
  readonly configFile: string;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (default SIGTERM) and waits for the exit code; the temp files are removed. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startGatehouseProcess(options: StartOptions = {}): Promise<GatehouseProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ dsn: 'memory', ...options.config }));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), LOG_FORMAT: 'json' };
  const endpoints: Endpoint[] = ['read', 'write', 'opl', 'metrics'];
  const listenFile = (e: Endpoint) => join(dir, `${e}.addr`);
  for (const e of endpoints) {
    env[`SERVE_${e.toUpperCase()}_PORT`] = '0';
    env[`SERVE_${e.toUpperCase()}_HOST`] = '127.0.0.1';
    env[`SERVE_${e.toUpperCase()}_WRITE_LISTEN_FILE`] = pathToFileURL(listenFile(e)).href;
  }
  Object.assign(env, options.env);
  const [program, ...leading] = options.command ?? [process.execPath, GATEHOUSE_BIN];
  const child = spawn(program!, [...leading, 'serve', '-c', configFile, ...(options.args ?? [])], {
    env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: unknown[] = [];
  let stderr = '';
  const ports: Partial<Record<Endpoint, number>> = {};
  const serve = (options.config?.serve ?? {}) as Partial<Record<Endpoint, { tls?: { cert?: unknown; key?: unknown } }>>;
  const secure = Object.fromEntries(
    endpoints.map((e) => [e, serve[e]?.tls?.cert !== undefined && serve[e]?.tls?.key !== undefined]),
  ) as Record<Endpoint, boolean>;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      let entry: unknown = line;
      try {
        entry = JSON.parse(line);
      } catch {
        // a non-JSON line is kept as text
      }
      logs.push(entry);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const failed = Promise.race([
    exited.then(({ code }) => {
      throw new Error(`gatehouse exited with code ${code} before it was listening:\n${stderr}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gatehouse did not listen within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    }),
  ]);
  const allListening = (async () => {
    while (Object.keys(ports).length < endpoints.length && child.exitCode === null) {
      for (const e of endpoints) {
        if (ports[e] !== undefined || !existsSync(listenFile(e))) continue;
        const written = readFileSync(listenFile(e), 'utf8');
        if (written.includes(':')) ports[e] = Number(written.slice(written.lastIndexOf(':') + 1));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await Promise.race([allListening, failed]);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(timer);
    throw err;
  }
  clearTimeout(timer);

  const url = Object.fromEntries(
    endpoints.map((e) => [e, `${secure[e] ? 'https' : 'http'}://127.0.0.1:${ports[e]}`]),
  ) as Record<Endpoint, string>;
  const grpc = Object.fromEntries(endpoints.map((e) => [e, `127.0.0.1:${ports[e]}`])) as Record<Endpoint, string>;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const { code } = await exited;
    rmSync(dir, { recursive: true, force: true });
    return code;
  };

  if (options.waitReady !== false && !secure.read) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await fetch(`${url.read}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) {
        await stop('SIGKILL');
        throw new Error(`gatehouse was not ready within ${timeoutMs} ms (last status ${status}):\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return { child, ports: ports as Record<Endpoint, number>, url, grpc, logs, stderr: () => stderr, configFile, exited, stop };
}
