import { extname } from 'node:path';
import { assetText, PLAYGROUND_FILES } from '../assets.js';
import type { RestRoute } from '../transport/rest/route.js';

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
export function pageRoutes(): RestRoute[] {
  return PLAYGROUND_FILES.flatMap((file) => {
    let body: string;
    try {
      body = assetText(file);
    } catch {
      throw new Error(`the playground page is not built (no ${file}): run npm run build`);
    }
    const name = file.slice(file.lastIndexOf('/') + 1);
    const answer = { status: 200, body, headers: { ...PAGE_HEADERS, 'content-type': CONTENT_TYPES[extname(name)]! } };
    const route = (path: string): RestRoute => ({ method: 'GET', path, handle: () => answer });
    return name === 'index.html' ? [route('/'), route('/index.html')] : [route(`/${name}`)];
  });
}
