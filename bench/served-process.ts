import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { imageNodeOptions } from '../test/support/image.js';
import { GATEHOUSE_BIN, type GatehouseProcess, startGatehouseProcess } from '../test/support/server.js';
import { type GcPauses, gcPausesIn } from './gc-pauses.js';

/**
 * What the served benchmarks share: a warm, quiet gatehouse process, the load generator run
 * against it, each pinned to a core of its own, and the garbage collections that fell into a run.
 */

export interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
  /** The server's collections during the run, when the server was started with the GC observer. */
  readonly gc?: GcPauses;
  /** The server's CPU time (every thread, user and system) per request, in µs, when its pid is known. */
  readonly serverCpuUs?: number;
}

/** What the load generator prints: `spans` holds each request's start and end, in ms since `spansFrom` (ms since the epoch). */
interface GeneratorOutput extends LoadResult {
  readonly warmUp: number;
  readonly spansFrom: number;
  readonly spans: number[];
}

/** A server process whose stderr carries the GC observer's lines. */
export interface ObservedServer {
  readonly stderr: () => string;
  readonly child: { readonly pid?: number | undefined };
}

/** Server on core 0, load generator on core 1, through taskset (util-linux), where there are two cores and taskset. */
export const PINNED = availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (!PINNED) process.stderr.write('taskset or a second core is missing: the served benchmarks run unpinned\n');

export const SERVER_CORE = 0;
const GENERATOR_CORE = 1;

/** `argv` run on `core` when pinning is possible. */
export function pinnedTo(core: number, argv: readonly string[]): string[] {
  return PINNED ? ['taskset', '-c', String(core), ...argv] : [...argv];
}

/** The environment of every served process and floor: the container image's NODE_OPTIONS, so that the bench measures what the image runs. */
export const SERVED_ENV = { NODE_OPTIONS: imageNodeOptions() };

/** `node --import` arguments that load the GC observer into a server process. */
export const GC_OBSERVER = ['--import', pathToFileURL(fileURLToPath(new URL('./gc-observer.js', import.meta.url))).href];

/**
 * The fields of /proc/PID/stat after the command name (the line's field N is at N - 3), or
 * undefined where there is none. Times in them are clock ticks of 10 ms (USER_HZ is 100 on Linux).
 */
export function procStatOf(pid: number | undefined): string[] | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's CPU time (every thread, user and system) in `stat`, in ms: utime and stime, fields 14 and 15. */
export const cpuMsIn = (stat: readonly string[]): number => (Number(stat[11]) + Number(stat[12])) * 10;

/** A process's CPU time so far (every thread, user and system), in ms, from /proc; undefined where there is none. */
export function cpuMsOf(pid: number | undefined): number | undefined {
  const stat = procStatOf(pid);
  return stat === undefined ? undefined : cpuMsIn(stat);
}

/**
 * Runs the load generator in its own process against a loopback port for `durationMs`;
 * with `server`, also counts the collections the server reported meanwhile.
 */
export async function runLoad(
  protocol: 'http' | 'grpc',
  port: number,
  requests: unknown[],
  concurrency: number,
  durationMs: number,
  server?: ObservedServer,
): Promise<LoadResult> {
  const seen = server?.stderr().length ?? 0;
  const cpuBefore = cpuMsOf(server?.child.pid);
  const { spansFrom, spans, warmUp, ...result } = await new Promise<GeneratorOutput>((resolve, reject) => {
    const generator = fileURLToPath(new URL('./load-generator.js', import.meta.url));
    const [program, ...args] = pinnedTo(GENERATOR_CORE, [process.execPath, generator, JSON.stringify({ protocol, port, requests, concurrency, durationMs })]);
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const killer = setTimeout(() => child.kill('SIGKILL'), durationMs + 60_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(JSON.parse(out) as GeneratorOutput);
      else reject(new Error(`load generator exited with ${code}`));
    });
  });
  if (server === undefined) return result;
  const cpuAfter = cpuMsOf(server.child.pid);
  // The observer reports a collection a moment after it ends.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const gc = gcPausesIn(server.stderr().slice(seen), spansFrom, spans);
  return cpuBefore === undefined || cpuAfter === undefined ? { ...result, gc } : { ...result, gc, serverCpuUs: ((cpuAfter - cpuBefore) * 1000) / (warmUp + result.requests) };
}

export async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a process logs once its index is warm: the time the warm-up took, the tuples and the index's bytes. */
export interface WarmLine {
  readonly ms: number;
  readonly tuples: number;
  readonly bytes: number;
}

/** Waits for `gh` to log its index warm; throws when it logs the warm-up failed instead. */
export async function indexWarm(gh: GatehouseProcess, timeoutMs: number): Promise<WarmLine> {
  const logged = (start: string) => gh.logs.find((l) => typeof l === 'object' && l !== null && String((l as { msg?: unknown }).msg).startsWith(start));
  await waitFor('the index to be warm', () => {
    const failed = logged('index: warm-up failed');
    if (failed !== undefined) throw new Error(`the warm-up failed: ${JSON.stringify(failed)}`);
    return logged('index: warm,') !== undefined;
  }, timeoutMs);
  return logged('index: warm,') as WarmLine;
}

/**
 * Starts gatehouse over `dsn` on the server core with the GC observer, waits for its index
 * to be warm (after `seed`, when given, has written through the running server), then
 * silences its access log.
 */
export async function startServer(
  dsn: string,
  oplFile: string,
  index: { enabled: boolean; max_staleness: string },
  seed?: (gh: GatehouseProcess) => Promise<void>,
): Promise<GatehouseProcess> {
  const config = { dsn, namespaces: { location: pathToFileURL(oplFile).href }, index: { ...index }, log: { level: 'info', format: 'json' } };
  const command = pinnedTo(SERVER_CORE, [process.execPath, ...GC_OBSERVER, GATEHOUSE_BIN]);
  const gh = await startGatehouseProcess({ config, command, env: SERVED_ENV, timeoutMs: 60_000 });
  if (index.enabled) await indexWarm(gh, 600_000);
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
  if (seed) await seed(gh);
  return gh;
}
