import fc from 'fast-check';
import { garbageString } from './garbage.js';
import { FUZZ_OPL } from './model.js';
import { jsonMutation, mutateJson } from './mutate.js';
import { filterQuery, validTuple, type KetoTuple } from './tuples.js';

/** A generated REST request; `raw` ones go out byte for byte on a fresh socket. */
export interface FuzzRequest {
  method: string;
  path: string;
  /** Everything after `?` (may be empty); already encoded as it goes on the wire. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
  raw: boolean;
}

export type BodyKind = 'tuple' | 'patch' | 'batch' | 'opl' | 'none';

/** What a route reads from its body, by method and path. */
export function bodyKind(method: string, path: string): BodyKind {
  if (method === 'PUT' && path === '/admin/relation-tuples') return 'tuple';
  if (method === 'PATCH') return 'patch';
  if (method === 'POST' && path === '/relation-tuples/batch/check') return 'batch';
  if (method === 'POST' && path === '/opl/syntax/check') return 'opl';
  if (method === 'POST') return 'tuple';
  return 'none';
}

const QUERY_KEYS = [
  'namespace', 'object', 'relation', 'subject_id', 'subject_set.namespace', 'subject_set.object', 'subject_set.relation',
  'subject', 'max-depth', 'page_size', 'page_token',
];

type Encoding = 'utf8' | 'raw' | 'bytes';
const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** Encodes one key or value: every UTF-8 byte escaped, or printable ASCII left as is ('%' garbage stays). */
function encode(text: string, encoding: Encoding, raw: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    const keep =
      encoding === 'utf8' ? UNRESERVED.test(c) : raw ? byte !== 0x0d && byte !== 0x0a && c !== '&' && c !== '#' : byte > 0x20 && byte < 0x7f && c !== '&' && c !== '#';
    out += keep ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const bytesValue = fc.uint8Array({ maxLength: 12 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''));

const queryPair = fc.record({
  key: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: garbageString }),
  value: garbageString,
  encoding: fc.constantFrom<Encoding>('utf8', 'utf8', 'raw', 'bytes'),
  shape: fc.constantFrom('pair', 'pair', 'pair', 'pair', 'bare', 'empty', 'doubled'),
});

type QueryPair = { key: string; value: string; encoding: Encoding; shape: string };

function pairText(p: QueryPair, value: string, raw: boolean): string {
  const key = encode(p.key, p.encoding === 'bytes' ? 'utf8' : p.encoding, raw);
  if (p.shape === 'bare') return key;
  if (p.shape === 'empty') return `${key}=`;
  const pair = `${key}=${value}`;
  return p.shape === 'doubled' ? `${pair}&${pair}` : pair;
}

/** A query: maybe a sensible base (a tuple or filter), then garbage pairs, sometimes odd separators. */
function queryArb(raw: boolean): fc.Arbitrary<string> {
  return fc
    .record({
      base: fc.option(validTuple.map((t) => filterQuery(t)), { nil: undefined }),
      pairs: fc.array(fc.tuple(queryPair, bytesValue), { maxLength: 5 }),
      separator: fc.constantFrom('&', '&', '&', '&&', ';'),
    })
    .map(({ base, pairs, separator }) => {
      const parts = pairs.map(([p, bytes]) => pairText(p, p.encoding === 'bytes' ? bytes : encode(p.value, p.encoding, raw), raw));
      if (base !== undefined) parts.unshift(base);
      return parts.join(separator);
    });
}

const patchDelta = fc.record({ action: fc.constantFrom('insert', 'delete'), relation_tuple: validTuple });

function validBody(kind: BodyKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'tuple':
      return validTuple;
    case 'patch':
      return fc.array(patchDelta, { maxLength: 6 });
    case 'batch':
      return fc.record({ tuples: fc.array(validTuple, { maxLength: 12 }) });
    default:
      return fc.constant(null);
  }
}

const SPECIAL_BODIES = [
  '', 'null', 'true', '0', '""', '[', ']', '{', '{"', '{"namespace":', '[{}]', '[null]', '{}', '[]', '1e400', '-', '"\\ud800"',
  '{"namespace":"Doc","namespace":"User","object":"a","relation":"owners","subject_id":"x"}',
  '{"__proto__":{"namespace":"Doc"},"constructor":{"prototype":{}}}',
  '\ufeff{"namespace":"Doc","object":"a","relation":"owners","subject_id":"x"}',
  `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  JSON.stringify({ tuples: Array.from({ length: 11 }, () => ({ namespace: 'Doc', object: 'a', relation: 'owners', subject_id: 'x' })) }),
];

function jsonBody(kind: BodyKind): fc.Arbitrary<Buffer> {
  const valid = validBody(kind);
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => Buffer.from(JSON.stringify(v))) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.array(jsonMutation, { minLength: 1, maxLength: 3 }))
        .map(([v, m]) => Buffer.from(JSON.stringify(mutateJson(v, m)) ?? '')),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => {
        const text = Buffer.from(JSON.stringify(v));
        return text.subarray(0, cut % (text.length + 1));
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_BODIES).map((s) => Buffer.from(s)) },
  );
}

const oplBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(Buffer.from(FUZZ_OPL)) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(), fc.nat({ max: 40 }), garbageString).map(([at, drop, insert]) => {
      const i = at % (FUZZ_OPL.length + 1);
      return Buffer.from(FUZZ_OPL.slice(0, i) + insert + FUZZ_OPL.slice(i + drop));
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom('', '(((((((((', '!'.repeat(5000), 'class', '{'.repeat(3000)).map((s) => Buffer.from(s)) },
);

function bodyArb(kind: BodyKind): fc.Arbitrary<Buffer> {
  if (kind === 'opl') return oplBody;
  if (kind === 'none') {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(Buffer.alloc(0)) },
      { weight: 1, arbitrary: jsonBody('tuple') },
    );
  }
  return jsonBody(kind);
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/grpc-web', 'application/json; charset=latin1', ';;;', '\u00ff/\u00fe',
];
const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO'];

/** Random requests aimed at one route: mostly its method, any query, bodies built from what it reads. */
export function routeRequests(route: { method: string; path: string }): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
      raw: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 9, arbitrary: fc.constant(false) }),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
      requestId: fc.option(fc.string({ maxLength: 250 }), { nil: undefined, freq: 4 }),
      body: bodyArb(bodyKind(route.method, route.path)),
      pathSuffix: fc.constantFrom('', '', '', '', '', '', '', '', '', '/', '//', '%2F'),
    })
    .chain(({ raw, ...rest }) => {
      const isRaw = raw && rest.method !== 'HEAD';
      return queryArb(isRaw).map((query) => ({ ...rest, raw: isRaw, query }));
    })
    .map(({ method, raw, contentType, requestId, body, pathSuffix, query }) => {
      const headers: Record<string, string> = {};
      if (contentType !== undefined) headers['content-type'] = contentType;
      if (requestId !== undefined) headers['x-request-id'] = requestId;
      return { method, path: route.path + pathSuffix, query, headers, body, raw };
    });
}

/** The bytes of a request line, headers and body, for requests node's client would not send. */
export function rawBytes(req: FuzzRequest): Buffer {
  const target = req.query === '' ? req.path : `${req.path}?${req.query}`;
  const head = [`${req.method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${req.body.length}`];
  for (const [k, v] of Object.entries(req.headers)) head.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), req.body]);
}

export type { KetoTuple };
