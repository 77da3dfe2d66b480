/**
 * The entry of the single executable that `npm run build:binary` makes (Node's single
 * executable applications): hands the files embedded as assets to src/assets.ts, then runs
 * the CLI exactly as bin/gatehouse.js does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAsset } from 'node:sea';
import { SQLITE_ADDON_ASSET, useEmbeddedAssets } from './assets.js';

/**
 * A native addon loads only from a file: write it into a fresh private directory (mode 0700, so
 * no other user can swap it between the write and the load), load it, and remove the copy. The
 * loaded library stays mapped after its file is gone. TMPDIR chooses where; it must allow exec.
 */
function loadAddon(asset: ArrayBuffer): object {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-'));
  try {
    const file = join(dir, SQLITE_ADDON_ASSET);
    writeFileSync(file, new Uint8Array(asset), { mode: 0o500 });
    const module = { exports: {} };
    process.dlopen(module, file);
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

useEmbeddedAssets({
  text: (name) => getAsset(name, 'utf8'),
  sqliteAddon: () => loadAddon(getAsset(SQLITE_ADDON_ASSET)),
});
void import('./cli/main.js');
