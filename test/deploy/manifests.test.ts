/**
 * deploy/kubernetes/ and the Dockerfile against what the server really serves: the ConfigMap's
 * config loads and its model compiles; the Job's command line migrates a database and the
 * Deployment's command line serves it, with the probes' routes answering 200 on the ports they
 * name; the Service and EXPOSE list the same ports as the config.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import type { EndpointName } from '../../src/config/types.js';
import { compileOpl } from '../../src/opl/compile.js';
import { GATEHOUSE_BIN, startGatehouseProcess } from '../support/server.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFESTS = join(REPO, 'deploy', 'kubernetes');
const ENDPOINTS: readonly EndpointName[] = ['read', 'write', 'metrics', 'opl'];

interface Container {
  image: string;
  command?: string[];
  args: string[];
  env: Array<{ name: string; valueFrom?: unknown }>;
  ports?: Array<{ name: string; containerPort: number }>;
  startupProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes: Array<{ name: string; configMap?: { name: string } }>;
}
type Manifest = { kind: string; metadata: { name: string } } & Record<string, any>;

const manifests: Manifest[] = readdirSync(MANIFESTS)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(join(MANIFESTS, file), 'utf8')).map((doc) => doc.toJS() as Manifest));

function only(kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in deploy/kubernetes`);
  return found[0]!;
}

const configMap = only('ConfigMap');
const deployment = only('Deployment');
const job = only('Job');
const service = only('Service');
const podOf = (m: Manifest): PodSpec => m.spec.template.spec as PodSpec;
const serverContainer = podOf(deployment).containers[0]!;
const migrateContainer = podOf(job).containers[0]!;
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** Where a container sees the ConfigMap. */
function configMountOf(m: Manifest, container: Container): string {
  const volume = podOf(m).volumes.find((v) => v.configMap?.name === configMap.metadata.name);
  assert.ok(volume, `${m.kind} mounts the ConfigMap`);
  return container.volumeMounts.find((mount) => mount.name === volume.name)!.mountPath;
}

let dir: string;
let mount: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-manifests-'));
  mount = join(dir, 'config');
  mkdirSync(mount);
  for (const [name, text] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(mount, name), text);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A container's arguments with the ConfigMap's mount path pointing at the test's copy of it. */
function localArgs(m: Manifest, container: Container): string[] {
  const mountPath = configMountOf(m, container);
  return container.args.map((arg) => (arg.startsWith(`${mountPath}/`) ? join(mount, arg.slice(mountPath.length + 1)) : arg));
}

test('the ConfigMap holds a valid config, whose model compiles, and the DSN comes from a Secret', () => {
  const config = loadConfig({ files: [join(mount, 'gatehouse.yml')], env: { DSN: 'memory' } });
  assert.deepEqual(config.namespaces, { location: `file://${join(mount, 'namespaces.ts')}` });
  const { errors } = compileOpl((configMap.data as Record<string, string>)['namespaces.ts']!);
  assert.deepEqual(errors, []);
  for (const container of [serverContainer, migrateContainer]) {
    assert.deepEqual(container.env, [{ name: 'DSN', valueFrom: { secretKeyRef: { name: 'gatehouse', key: 'dsn' } } }]);
  }
});

test('the containers run the image of this version with the entrypoint the Dockerfile sets', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/local\/bin\/gatehouse"\]$/m);
  assert.match(dockerfile, /^COPY --from=build \/out\/gatehouse \/usr\/local\/bin\/gatehouse$/m);
  for (const container of [serverContainer, migrateContainer]) {
    assert.equal(container.image, `gatehouse:${PACKAGE_VERSION}`);
    assert.equal(container.command, undefined);
  }
});

test('container ports, the Service and the Dockerfile EXPOSE name the ports the config serves', () => {
  const served = loadConfig({ files: [join(mount, 'gatehouse.yml')], env: { DSN: 'memory' } }).serve;
  const expected = ENDPOINTS.map((name) => ({ name, containerPort: served[name].port }));
  assert.deepEqual(serverContainer.ports, expected);
  const servicePorts = (service.spec.ports as Array<{ name: string; port: number; targetPort: string }>)
    .map(({ name, port, targetPort }) => ({ name, port, targetPort }))
    .sort((a, b) => a.port - b.port);
  assert.deepEqual(servicePorts, expected.map(({ name, containerPort }) => ({ name, port: containerPort, targetPort: name })));
  assert.deepEqual(service.spec.selector, deployment.spec.template.metadata.labels);

  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const imageConfig = loadConfig({ files: [join(REPO, 'deploy', 'gatehouse.yml')], env: {} }).serve;
  const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)![1]!.split(' ').map(Number);
  assert.deepEqual(exposed, ENDPOINTS.map((name) => imageConfig[name].port));
  assert.deepEqual(exposed, ENDPOINTS.map((name) => served[name].port));
});

test("the Job's command line migrates, and the Deployment's serves the probes' routes on the ports they name", async () => {
  const dsn = `sqlite://${join(dir, 'gatehouse.sqlite')}?_fk=true`;
  const [verb, ...migrateArgs] = localArgs(job, migrateContainer);
  assert.equal(verb, 'migrate');
  const migrated = await promisify(execFile)(process.execPath, [GATEHOUSE_BIN, verb, ...migrateArgs], {
    env: { ...process.env, DSN: dsn },
  });
  assert.equal(migrated.stderr, '');

  const [command, ...serveArgs] = localArgs(deployment, serverContainer);
  assert.equal(command, 'serve');
  // Without --migrate: /health/ready answers 200 (the helper waits for it) only on a migrated database.
  const gh = await startGatehouseProcess({ args: serveArgs, env: { DSN: dsn } });
  try {
    const portNames = new Map(serverContainer.ports!.map((p) => [p.name, p.name as EndpointName]));
    const probes = [serverContainer.startupProbe!, serverContainer.readinessProbe!, serverContainer.livenessProbe!];
    for (const probe of probes) {
      const endpoint = portNames.get(probe.httpGet.port);
      assert.ok(endpoint, `the probe's port ${probe.httpGet.port} is a container port`);
      const response = await fetch(`${gh.url[endpoint]}${probe.httpGet.path}`);
      assert.deepEqual([probe.httpGet.path, response.status], [probe.httpGet.path, 200]);
    }
    assert.deepEqual(
      probes.map((probe) => probe.httpGet.path),
      ['/health/alive', '/health/ready', '/health/alive'],
    );
  } finally {
    assert.equal(await gh.stop(), 0);
  }
});
