/** The data source names gatehouse can open, and how they are shown without their secrets. */

export const DSN_SCHEMES = ['sqlite', 'postgres', 'postgresql', 'mysql', 'cockroach'] as const;
export type DsnScheme = (typeof DSN_SCHEMES)[number];

export const ALLOWED_DSN_FORMS = 'memory, sqlite://PATH, postgres://, postgresql://, mysql:// or cockroach://';

/** The backend a DSN names: "memory" or its scheme; undefined when gatehouse cannot open it. */
export function dsnKind(dsn: string): 'memory' | DsnScheme | undefined {
  if (dsn === 'memory') return 'memory';
  const match = /^([a-z][a-z0-9+.-]*):\/\/./i.exec(dsn);
  if (match === null) return undefined;
  const scheme = match[1]!.toLowerCase();
  return (DSN_SCHEMES as readonly string[]).includes(scheme) ? (scheme as DsnScheme) : undefined;
}

const MASK = '***';
const SECRET_QUERY_KEY = /^(.*pass.*|.*secret.*|.*token.*)$/i;

/**
 * The DSN with its password (and any password-like query parameter) replaced by ***,
 * e.g. `postgres://user:***@host/db`. Safe for logs and error messages.
 */
export function maskDsn(dsn: string): string {
  const schemeEnd = dsn.indexOf('://');
  if (schemeEnd < 0) return maskKeywordPairs(dsn);
  const prefix = dsn.slice(0, schemeEnd + 3);
  const rest = dsn.slice(schemeEnd + 3);
  const queryStart = firstIndexOf(rest, '?', '#');
  const beforeQuery = rest.slice(0, queryStart);
  const query = rest.slice(queryStart);
  const at = beforeQuery.lastIndexOf('@');
  let authorityAndPath = beforeQuery;
  if (at >= 0) {
    const userinfo = beforeQuery.slice(0, at);
    const colon = userinfo.indexOf(':');
    const masked = colon >= 0 ? `${userinfo.slice(0, colon)}:${MASK}` : userinfo;
    authorityAndPath = `${masked}${beforeQuery.slice(at)}`;
  }
  return prefix + authorityAndPath + maskQuery(query);
}

function firstIndexOf(text: string, ...chars: string[]): number {
  const found = chars.map((c) => text.indexOf(c)).filter((i) => i >= 0);
  return found.length === 0 ? text.length : Math.min(...found);
}

function maskQuery(query: string): string {
  return query.replace(/([?&#])([^=&#]+)=([^&#]*)/g, (whole, sep: string, key: string) =>
    SECRET_QUERY_KEY.test(key) ? `${sep}${key}=${MASK}` : whole,
  );
}

/** libpq-style "host=x password=y" strings. */
function maskKeywordPairs(text: string): string {
  return text.replace(/\b(\w*pass\w*)\s*=\s*('[^']*'|\S+)/gi, `$1=${MASK}`);
}
