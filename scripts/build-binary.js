// Builds gatehouse as one executable for the platform it runs on (Node's single executable
// applications), from the output of `npm run build`:
//   1. esbuild bundles dist/src/binary.js and everything it imports into one CommonJS file
//      (Node 20 runs only a CommonJS script as the executable's entry);
//   2. `node --experimental-sea-config` turns it into a blob, with the files gatehouse reads at
//      run time (src/assets.ts) and better-sqlite3's addon as assets;
//   3. postject injects the blob into a copy of the running node executable (on Linux first
//      stripped of its symbols when binutils' strip is there: 13 MB less for Node 20).
// Usage: node scripts/build-binary.js [OUTPUT]   (default build/gatehouse, or build/gatehouse.exe)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ASSET_FILES, SQLITE_ADDON_ASSET } from '../dist/src/assets.js';

const require = createRequire(import.meta.url);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = resolve(process.argv[2] ?? join(repo, 'build', process.platform === 'win32' ? 'gatehouse.exe' : 'gatehouse'));
const work = join(dirname(output), `${output.split(/[\\/]/).pop()}.parts`);
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Some modules require packages through `createRequire(import.meta.url)`, which a bundler
 * cannot follow (gatehouse's lazy loads, the generated config validator). In the bundle
 * `require` is the bundler's own, which it can: those modules use it instead.
 */
const OWN_REQUIRE = 'const require = createRequire(import.meta.url);';
const useBundlerRequire = {
  name: 'use-bundler-require',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(OWN_REQUIRE, '').replaceAll('createRequire(import.meta.url)(', 'require('),
      loader: 'js',
    }));
  },
};

/**
 * Node's executable gives its entry a require() for built-in modules only, which warns on
 * stderr before it throws for anything else. Packages probe for optional ones (mysql2 for
 * cardinal, pg for pg-native): in the executable, a package that is not bundled is one that is
 * not installed, and fails as such, without the warning.
 */
const ONLY_BUILTINS = `require = ((builtin) => (id) => {
  if (builtin('node:module').isBuiltin(id)) return builtin(id);
  throw Object.assign(new Error(\`Cannot find module '\${id}'\`), { code: 'MODULE_NOT_FOUND' });
})(require);`;

mkdirSync(work, { recursive: true });
const bundle = join(work, 'gatehouse.cjs');
await build({
  entryPoints: [join(repo, 'dist', 'src', 'binary.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: `node${process.versions.node.split('.')[0]}`,
  plugins: [useBundlerRequire],
  // The bundle is strict code (it was ES modules): the directive must come before the banner.
  banner: { js: `'use strict';\n${ONLY_BUILTINS}` },
  // Optional native speed-ups the drivers try and do without; not part of the executable.
  external: ['pg-native', 'cloudflare:sockets'],
  // src/assets.ts reads files beside import.meta.url only outside the executable.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
});
if (/createRequire\)\(import_meta/.test(readFileSync(bundle, 'utf8'))) {
  throw new Error(`${bundle} still resolves packages from disk at run time: a createRequire form the bundle step does not rewrite`);
}

const blob = join(work, 'sea-prep.blob');
const assets = Object.fromEntries(ASSET_FILES.map((name) => [name, join(repo, name)]));
assets[SQLITE_ADDON_ASSET] = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
const seaConfig = join(work, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

copyFileSync(process.execPath, output);
if (process.platform === 'linux') {
  try {
    execFileSync('strip', [output]);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    console.log('strip is not installed: the executable keeps the symbols of node');
  }
}
const postject = [require.resolve('postject/dist/cli.js'), output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
if (process.platform === 'darwin') {
  execFileSync('codesign', ['--remove-signature', output]);
  execFileSync(process.execPath, [...postject, '--macho-segment-name', 'NODE_SEA'], { stdio: 'inherit' });
  execFileSync('codesign', ['--sign', '-', output]);
} else {
  execFileSync(process.execPath, postject, { stdio: 'inherit' });
}
console.log(`built ${output}`);
