import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A PostgreSQL server of its own for one test file: initdb and pg_ctl in a temporary
 * directory on a free loopback port. Faults (immediate stop, SIGSTOP/SIGCONT, terminated
 * backends) are only ever aimed at this server, never at a shared one. initdb refuses to
 * run as root: then every command runs as the `postgres` user, which owns the directory.
 */

const run = promisify(execFile);

/** The newest installed server's bin directory, or undefined when there is none. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(root, versions[0]!, 'bin');
}

/** Why a throwaway server cannot be started here, or false. */
export function throwawayPostgresUnavailable(): string | false {
  if (postgresBinaries() === undefined) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no postgres user to run initdb as';
    }
  }
  return false;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class ThrowawayPostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly asUser: string | undefined,
  ) {}

  static async start(): Promise<ThrowawayPostgres> {
    const bin = postgresBinaries();
    if (bin === undefined) throw new Error('no PostgreSQL server binaries');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser !== undefined) {
      const uid = Number(execFileSync('id', ['-u', asUser], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', asUser], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    const server = new ThrowawayPostgres(bin, dir, await freePort(), asUser);
    await server.command('initdb', ['-D', server.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    if (asUser === undefined) mkdirSync(join(dir, 'socket'), { recursive: true });
    else await server.command('mkdir', [join(dir, 'socket')], true);
    await server.startServer();
    return server;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** A DSN of `database` on this server (the maintenance database by default). */
  dsn(database = 'postgres', port = this.port): string {
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  /** The postmaster's process id. */
  get pid(): number {
    return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  async createDatabase(name: string): Promise<string> {
    await this.sql(`CREATE DATABASE ${name}`);
    return this.dsn(name);
  }

  /** Runs one statement on `database` over a connection of its own. */
  async sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, database = 'postgres', values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.dsn(database) });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** `pg_ctl stop -m immediate`: every backend dies at once, nothing is shut down cleanly. */
  async stopImmediately(): Promise<void> {
    await this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async startServer(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${join(this.dir, 'socket')}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=100',
      '-c shared_buffers=16MB',
    ].join(' ');
    await this.command('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** Every process of this server (the postmaster and its children). */
  private processes(): number[] {
    const postmaster = this.pid;
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    return [postmaster, ...children];
  }

  /** SIGSTOP to the postmaster and every backend of this server: it hangs without closing anything. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  private signal(signal: NodeJS.Signals): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        // A backend that exited since it was listed.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
  }

  /** Stops the server (immediately) and removes its directory. */
  async destroy(): Promise<void> {
    try {
      this.resume();
    } catch {
      // not running
    }
    await this.command('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async command(name: string, args: string[], plain = false): Promise<void> {
    const file = plain ? name : join(this.bin, name);
    if (this.asUser === undefined) await run(file, args);
    else await run('runuser', ['-u', this.asUser, '--', file, ...args]);
  }
}
