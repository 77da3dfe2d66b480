/**
 * A ConfigMap mounted as a volume, as the kubelet lays it out and updates it: the files live in
 * a timestamped directory, `..data` links to it, and each file is a link through `..data`. An
 * update writes a new directory, points a new link at it, renames that link over `..data` and
 * removes the old directory; the files' own entries never change. The server follows the config
 * file and the OPL file through such swaps, and a file deleted then created again, unrestarted.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startGatehouseProcess, type GatehouseProcess } from '../support/server.js';

const model = (...names: string[]) => names.map((name) => `class ${name} implements Namespace {}\n`).join('');
const config = (oplFile: string) => `namespaces:\n  location: file://./${oplFile}\n`;

/** A mounted ConfigMap in a temporary directory; `update` swaps in new contents the kubelet's way. */
function configMapVolume(files: Record<string, string>) {
  const mount = mkdtempSync(join(tmpdir(), 'gatehouse-configmap-'));
  let generation = 0;
  let current: string | undefined;
  const update = (contents: Record<string, string>) => {
    const dir = `..2026_12_04_14_00_${String(generation++).padStart(2, '0')}.000000001`;
    mkdirSync(join(mount, dir));
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(mount, dir, name), text);
    symlinkSync(dir, join(mount, '..data_tmp'));
    renameSync(join(mount, '..data_tmp'), join(mount, '..data'));
    if (current !== undefined) rmSync(join(mount, current), { recursive: true });
    current = dir;
  };
  update(files);
  for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(mount, name));
  return { mount, update, remove: () => rmSync(mount, { recursive: true, force: true }) };
}

async function namespaces(gh: GatehouseProcess): Promise<string[]> {
  const body = (await (await fetch(`${gh.url.read}/namespaces`)).json()) as { namespaces: Array<{ name: string }> };
  return body.namespaces.map((n) => n.name).sort();
}

/** Polls until the served namespaces are `expected` (bounded: the test fails on the deadline, never waits longer). */
async function untilNamespaces(gh: GatehouseProcess, expected: string[]): Promise<void> {
  let seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    seen = await namespaces(gh);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(seen, expected, 'the served model after 10 s');
}

async function untilLogged(gh: GatehouseProcess, message: string, after: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (gh.logs.slice(after).some((l) => (l as { msg?: unknown }).msg === message)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no log line "${message}" within 10 s`);
}

test('a model and a config changed by swapping ..data apply without a restart', async (t) => {
  const volume = configMapVolume({ 'gatehouse.yml': config('namespaces.ts'), 'namespaces.ts': model('User', 'Doc') });
  t.after(volume.remove);
  const gh = await startGatehouseProcess({ args: ['-c', join(volume.mount, 'gatehouse.yml')] });
  t.after(() => gh.stop('SIGKILL'));
  assert.deepEqual(await namespaces(gh), ['Doc', 'User']);

  // The OPL file changes: the namespaces watcher follows it.
  volume.update({ 'gatehouse.yml': config('namespaces.ts'), 'namespaces.ts': model('User', 'Doc', 'Folder') });
  await untilNamespaces(gh, ['Doc', 'Folder', 'User']);

  // The config file changes to name another OPL file in the same ConfigMap: the config watcher follows it.
  volume.update({
    'gatehouse.yml': config('namespaces.ts'),
    'namespaces.ts': model('User', 'Doc', 'Folder'),
    'model-b.ts': model('Team'),
  });
  symlinkSync(join('..data', 'model-b.ts'), join(volume.mount, 'model-b.ts'));
  volume.update({
    'gatehouse.yml': config('model-b.ts'),
    'namespaces.ts': model('User', 'Doc', 'Folder'),
    'model-b.ts': model('Team'),
  });
  await untilNamespaces(gh, ['Team']);
  assert.equal(await gh.stop(), 0);
});

test('an OPL file deleted keeps the model in force, and its new contents apply once it is back', async (t) => {
  const volume = configMapVolume({ 'gatehouse.yml': config('namespaces.ts'), 'namespaces.ts': model('User', 'Doc') });
  t.after(volume.remove);
  const gh = await startGatehouseProcess({ args: ['-c', join(volume.mount, 'gatehouse.yml')] });
  t.after(() => gh.stop('SIGKILL'));
  const opl = join(volume.mount, 'namespaces.ts');
  const keptAfter = async (change: () => void) => {
    const logged = gh.logs.length;
    change();
    await untilLogged(gh, 'could not reload the namespaces; keeping the previous model', logged);
  };

  // The key leaves the ConfigMap (the kubelet drops it from the new directory and removes its link), then returns.
  await keptAfter(() => {
    volume.update({ 'gatehouse.yml': config('namespaces.ts') });
    unlinkSync(opl);
  });
  assert.deepEqual(await namespaces(gh), ['Doc', 'User']);
  volume.update({ 'gatehouse.yml': config('namespaces.ts'), 'namespaces.ts': model('User', 'Doc', 'Folder') });
  symlinkSync(join('..data', 'namespaces.ts'), opl);
  await untilNamespaces(gh, ['Doc', 'Folder', 'User']);

  // A plain file deleted, then written again.
  await keptAfter(() => unlinkSync(opl));
  assert.deepEqual(await namespaces(gh), ['Doc', 'Folder', 'User']);
  writeFileSync(opl, model('User', 'Doc', 'Group'));
  await untilNamespaces(gh, ['Doc', 'Group', 'User']);
  assert.equal(await gh.stop(), 0);
});
