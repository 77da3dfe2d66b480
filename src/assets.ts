import { readFileSync } from 'node:fs';

/**
 * Files gatehouse reads at run time other than its configuration: package.json (the version),
 * the gRPC schema that `npm run build` compiles into dist/proto/ and the playground page it
 * bundles into dist/playground/. From a checkout or an
 * installed package they are read beside the code; the single executable carries them inside
 * itself, and its entry (src/binary.ts) hands them over with `useEmbeddedAssets` before any
 * other module runs.
 */
export const PLAYGROUND_FILES = ['dist/playground/index.html', 'dist/playground/app.js', 'dist/playground/style.css'] as const;
export const ASSET_FILES = ['package.json', 'dist/proto/gatehouse.json', 'dist/proto/descriptors.json', ...PLAYGROUND_FILES] as const;
export type AssetFile = (typeof ASSET_FILES)[number];

/** The asset name of better-sqlite3's compiled addon in the single executable. */
export const SQLITE_ADDON_ASSET = 'better_sqlite3.node';

/** Where the single executable keeps what a package keeps in files. */
export interface EmbeddedAssets {
  text(name: AssetFile): string;
  /** better-sqlite3's compiled addon, loaded from the executable's copy. */
  sqliteAddon(): object;
}

let embedded: EmbeddedAssets | undefined;
let sqliteAddon: object | undefined;

export function useEmbeddedAssets(assets: EmbeddedAssets): void {
  embedded = assets;
}

/** `name` is relative to the package root (dist/src/assets.js is two levels below it). */
export function assetText(name: AssetFile): string {
  return embedded?.text(name) ?? readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8');
}

/** better-sqlite3's `nativeBinding` option: undefined lets it find its addon in node_modules. */
export function sqliteNativeBinding(): object | undefined {
  if (embedded === undefined) return undefined;
  return (sqliteAddon ??= embedded.sqliteAddon());
}
