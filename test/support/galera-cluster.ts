import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../chaos/support/throwaway-postgres.js';
import { mysqlDatabase, type TestDatabase } from '../store/databases.js';

/**
 * A MariaDB Galera cluster of its own for one test file: every node a mariadbd on loopback
 * with its own data directory, socket, pid file and ports (SQL, group communication,
 * incremental and full state transfer), all asked of the OS. The first node bootstraps the
 * cluster from a fresh `mariadb-install-db`; the others join one after the other and receive
 * its data by rsync. Destroying the cluster kills every node and removes the directory.
 */

const run = promisify(execFile);

const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const SST_SCRIPT = '/usr/bin/wsrep_sst_rsync';
const RSYNC = '/usr/bin/rsync';
const JOIN_TIMEOUT_MS = 180_000;

/** Why a cluster cannot be started here, or false. */
export function galeraUnavailable(): string | false {
  for (const file of [MARIADBD, INSTALL_DB, PROVIDER, SST_SCRIPT, RSYNC]) {
    if (!existsSync(file)) return `${file} is missing (Debian packages galera-4, mariadb-server, rsync)`;
  }
  return false;
}

interface NodePorts {
  readonly sql: number;
  readonly group: number;
  readonly ist: number;
  readonly sst: number;
}

/** Every node's mariadbd and every cluster's directory, killed and removed when this process exits or is told to. */
const running = new Set<ChildProcess>();
const directories = new Set<string>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

export class GaleraCluster {
  private constructor(
    private readonly dir: string,
    private readonly ports: readonly NodePorts[],
    private readonly processes: ChildProcess[],
  ) {}

  /** Starts `size` nodes; resolves once every one is synced with the cluster. */
  static async start(size = 3): Promise<GaleraCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-galera-'));
    directories.add(dir);
    const ports: NodePorts[] = [];
    for (let i = 0; i < size; i++) ports.push({ sql: await freePort(), group: await freePort(), ist: await freePort(), sst: await freePort() });
    const cluster = new GaleraCluster(dir, ports, []);
    try {
      await run(INSTALL_DB, [
        '--no-defaults',
        `--user=${userName()}`,
        `--datadir=${cluster.data(0)}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--innodb-log-file-size=8M',
      ]);
      for (let i = 1; i < size; i++) {
        mkdirSync(cluster.data(i));
        // As root, the rsync daemon that receives a joiner's state drops to `nobody`.
        if (process.getuid?.() === 0) chownSync(cluster.data(i), nobody('-u'), nobody('-g'));
      }
      for (let i = 0; i < size; i++) await cluster.startNode(i);
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  get size(): number {
    return this.ports.length;
  }

  /** A DSN of `database` on node `node`. */
  dsn(node: number, database = ''): string {
    return `mysql://root@127.0.0.1:${this.ports[node]!.sql}/${database}`;
  }

  /** A fresh database, made through node 0 and so present on every node; `on(n)` is its DSN on node n. */
  async database(): Promise<TestDatabase & { on(node: number): string }> {
    const made = await mysqlDatabase(this.dsn(0));
    const name = new URL(made.dsn).pathname.slice(1);
    // The other nodes apply the CREATE DATABASE a little later: a causal read there waits for it.
    for (let node = 1; node < this.size; node++) {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.ports[node]!.sql, user: 'root' });
      try {
        await connection.query('SET SESSION wsrep_sync_wait = 1');
        await connection.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [name]);
      } finally {
        await connection.end();
      }
    }
    return { ...made, on: (node) => this.dsn(node, name) };
  }

  /** The same database on node `node`, for a suite that takes one DSN per database. */
  async databaseOn(node: number): Promise<TestDatabase> {
    const made = await this.database();
    return { dsn: made.on(node), drop: made.drop };
  }

  /** The value of the server variable `name` on node `node`. */
  async variable(node: number, name: string): Promise<string> {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.ports[node]!.sql, user: 'root' });
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SHOW VARIABLES LIKE ?', [name]);
      return String(rows[0]?.['Value']);
    } finally {
      await connection.end();
    }
  }

  /** Kills every node and removes the cluster's directory. */
  async destroy(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
    directories.delete(this.dir);
  }

  private data(node: number): string {
    return join(this.dir, `node${node}`);
  }

  private async startNode(node: number): Promise<void> {
    const ports = this.ports[node]!;
    const log = join(this.dir, `node${node}.log`);
    const members = this.ports.map((p) => `127.0.0.1:${p.group}`).join(',');
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--user=${userName()}`,
        `--datadir=${this.data(node)}`,
        `--socket=${join(this.dir, `node${node}.sock`)}`,
        `--pid-file=${join(this.dir, `node${node}.pid`)}`,
        `--log-error=${log}`,
        `--port=${ports.sql}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--performance-schema=OFF',
        '--innodb-buffer-pool-size=64M',
        '--innodb-log-file-size=8M',
        // Durability comes from the other nodes; the disk is the test machine's.
        '--innodb-flush-log-at-trx-commit=0',
        '--skip-log-bin',
        '--binlog-format=ROW',
        '--default-storage-engine=InnoDB',
        '--innodb-autoinc-lock-mode=2',
        '--wsrep-on=ON',
        `--wsrep-provider=${PROVIDER}`,
        '--wsrep-cluster-name=gatehouse_test',
        `--wsrep-cluster-address=gcomm://${members}`,
        `--wsrep-node-address=127.0.0.1:${ports.group}`,
        `--wsrep-node-name=node${node}`,
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${ports.group};ist.recv_addr=127.0.0.1:${ports.ist};gcache.size=32M`,
        '--wsrep-sst-method=rsync',
        `--wsrep-sst-receive-address=127.0.0.1:${ports.sst}`,
        ...(node === 0 ? ['--wsrep-new-cluster'] : []),
      ],
      { stdio: 'ignore' },
    );
    running.add(child);
    child.once('exit', () => running.delete(child));
    this.processes.push(child);
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`galera node ${node} exited:\n${tail(log)}`);
      if ((await this.state(node)) === 'Synced') return;
      if (Date.now() > deadline) throw new Error(`galera node ${node} did not join within ${JOIN_TIMEOUT_MS} ms:\n${tail(log)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** The node's wsrep state ('Synced' once it serves the cluster's data), undefined while it does not answer. */
  private async state(node: number): Promise<string | undefined> {
    const connection = await mysql
      .createConnection({ host: '127.0.0.1', port: this.ports[node]!.sql, user: 'root', connectTimeout: 2000 })
      .catch(() => undefined);
    if (connection === undefined) return undefined;
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>("SHOW STATUS LIKE 'wsrep_local_state_comment'");
      return rows[0]?.['Value'] as string | undefined;
    } catch {
      return undefined;
    } finally {
      await connection.end().catch(() => undefined);
    }
  }
}

const userName = (): string => (process.getuid?.() === 0 ? 'root' : (process.env['USER'] ?? 'mysql'));

const nobody = (flag: '-u' | '-g'): number => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());

const tail = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '(no log)');
