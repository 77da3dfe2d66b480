import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startGatehouse, type RunningGatehouse } from '../../src/main.js';

/** The live server's model: what the playground's read-only view shows. */
export const LIVE_MODEL = `import { Namespace, Context } from "@ory/keto-namespace-types"

class User implements Namespace {}

class Team implements Namespace {
  related: {
    members: User[]
  }
}

class Repo implements Namespace {
  related: {
    maintainers: (User | SubjectSet<Team, "members">)[]
  }

  permits = {
    push: (ctx: Context): boolean => this.related.maintainers.includes(ctx.subject),
  }
}
`;

export interface PlaygroundServer {
  readonly gatehouse: RunningGatehouse;
  /** The playground's origin, `http://127.0.0.1:PORT`. */
  readonly playground: string;
  readonly read: string;
  readonly write: string;
  /** The SQLite database file the server stores tuples in. */
  readonly databaseFile: string;
  stop(): Promise<void>;
}

/** gatehouse in process on SQLite with LIVE_MODEL, every listener on a free loopback port, the playground on. */
export async function startPlaygroundServer(): Promise<PlaygroundServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-playground-'));
  const modelFile = join(dir, 'namespaces.ts');
  writeFileSync(modelFile, LIVE_MODEL);
  const databaseFile = join(dir, 'gatehouse.sqlite');
  const loopback = { host: '127.0.0.1', port: 0 };
  const config = {
    dsn: `sqlite://${databaseFile}?_fk=true`,
    namespaces: { location: pathToFileURL(modelFile).href },
    serve: { read: loopback, write: loopback, opl: loopback, metrics: loopback, playground: { ...loopback, enabled: true } },
    log: { level: 'error', format: 'json' },
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const gatehouse = await startGatehouse({ files: [configFile], env: {} }, { migrate: true });
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  return {
    gatehouse,
    playground: origin(gatehouse.playground!.port),
    read: origin(gatehouse.addresses.read.port),
    write: origin(gatehouse.addresses.write.port),
    databaseFile,
    async stop() {
      await gatehouse.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
