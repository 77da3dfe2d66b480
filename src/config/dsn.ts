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
const SECRET_KEY = /(pass|pwd|secret|token)/i;

/**
 * The DSN with its password (and any password-like parameter) replaced by ***, whatever its
 * form: `postgres://user:***@host/db`, but also the malformed `postgres:/user:***@host/db`,
 * `postgres:***@host/db`, `user:***@host`, `mysql:user:***@tcp(h:3306)/db`, libpq's
 * `host=h password=***` and `Password=***;` pairs. Safe for logs and error messages.
 */
export function maskDsn(dsn: string): string {
  const at = userinfoEnd(dsn);
  if (at < 0) return maskPairs(dsn);
  return maskUserinfo(dsn.slice(0, at)) + maskPairs(dsn.slice(at));
}

/**
 * Where the userinfo of `scheme:userinfo@host…` ends: the last "@" before the query. The
 * query is looked for after the first "@" only, since a password may hold "?", "#", "/" or "@".
 */
function userinfoEnd(text: string): number {
  const first = text.indexOf('@');
  if (first < 0) return -1;
  const query = text.slice(first).search(/[?#]/);
  return text.lastIndexOf('@', query < 0 ? text.length : first + query);
}

/** `scheme:` (with any number of slashes) then `user:password`, `password` or `user`. */
function maskUserinfo(head: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):(\/*)/i.exec(head);
  // "user:pw@host" also reads as a scheme "user": only a known scheme, or one followed by "/", is one.
  const isScheme = scheme !== null && (scheme[2] !== '' || (DSN_SCHEMES as readonly string[]).includes(scheme[1]!.toLowerCase()));
  const prefix = isScheme ? scheme[0] : '';
  const userinfo = head.slice(prefix.length);
  const colon = userinfo.indexOf(':');
  if (colon >= 0) return `${prefix}${userinfo.slice(0, colon)}:${MASK}`;
  // "postgres:secret@host": right after a bare "scheme:", a lone word may be the password.
  if (isScheme && scheme[2] === '' && userinfo !== '') return `${prefix}${MASK}`;
  return head;
}

/** Password-like `key=value` pairs: URL query parameters, libpq keywords, `Key=value;` lists. */
function maskPairs(text: string): string {
  return text.replace(/(^|[?&#;\s])([\w.-]+)(\s*=\s*)('[^']*'|[^&#;\s]*)/g, (whole, sep: string, key: string, eq: string) =>
    SECRET_KEY.test(key) ? `${sep}${key}${eq}${MASK}` : whole,
  );
}

/**
 * Free text (an error message, a parser's snippet) with every DSN-shaped word in it masked:
 * anything of the form `…:…@…` and any password-like `key=value` pair.
 */
export function maskSecretsIn(text: string): string {
  return maskPairs(text.replace(/[^\s"'`<>]*@[^\s"'`<>]*/g, (word) => (word.includes(':') ? maskDsn(word) : word)));
}
