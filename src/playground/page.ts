import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { RestRoute } from '../transport/rest/route.js';

/** Where `npm run build` writes the page: dist/playground, beside the compiled dist/src. */
export const PAGE_DIR = new URL('../../playground/', import.meta.url);

/** The only kinds of file the page is built into; anything else in the directory is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The page loads its own script and style only, is never framed, and is revalidated on every load. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
};

/**
 * One GET route per built file (`/app.js` …) and `/` for `index.html`, read once at start.
 * Routing is by exact path over this fixed list, so no request names a file outside it.
 */
export function pageRoutes(dir: URL = PAGE_DIR): RestRoute[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => CONTENT_TYPES[extname(name)] !== undefined);
  } catch {
    names = [];
  }
  if (!names.includes('index.html')) throw new Error(`the playground page is not built (no index.html in ${dir.pathname}): run npm run build`);
  return names.flatMap((name) => {
    const answer = { status: 200, body: readFileSync(new URL(name, dir), 'utf8'), headers: { ...PAGE_HEADERS, 'content-type': CONTENT_TYPES[extname(name)]! } };
    const route = (path: string): RestRoute => ({ method: 'GET', path, handle: () => answer });
    return name === 'index.html' ? [route('/'), route('/index.html')] : [route(`/${name}`)];
  });
}
