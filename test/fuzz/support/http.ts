import { Buffer } from 'node:buffer';
import http, { STATUS_CODES } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

const sessions = new Map<string, http2.ClientHttp2Session>();

/** Closes the pooled keep-alive connections and HTTP/2 sessions (call once the server is done). */
export function closeClientConnections(): void {
  agent.destroy();
  for (const session of sessions.values()) session.close();
  sessions.clear();
}

/** One request over a shared cleartext HTTP/2 session (prior knowledge), reopened when the server closed it. */
export function h2Request(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<FuzzResponse> {
  let session = sessions.get(origin);
  if (session === undefined || session.closed || session.destroyed) {
    session = http2.connect(origin, { maxHeaderListPairs: 1000, settings: { maxHeaderListSize: 1 << 20 } });
    session.on('error', () => sessions.delete(origin));
    session.on('close', () => sessions.delete(origin));
    sessions.set(origin, session);
  }
  const open = session;
  return new Promise((resolve, reject) => {
    const stream = open.request({ ':method': method, ':path': path, ...headers }, { endStream: false });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (responseHeaders = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const { ':status': status, ...rest } = responseHeaders;
      resolve({ status: Number(status), headers: rest as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

/**
 * One HTTP/1.1 request over a pooled keep-alive connection. `path` may hold any byte in
 * 0x21..0xff (node's client refuses others); the body and headers are sent as given.
 */
export function request(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<FuzzResponse> {
  // node's client frames a GET/HEAD/DELETE/OPTIONS/TRACE body only when told its length.
  const framed = body !== undefined && body.length > 0 && headers['transfer-encoding'] === undefined ? { 'content-length': String(body.length), ...headers } : headers;
  return new Promise((resolve, reject) => {
    // Keto-compatible answers may carry long headers (a PUT's Location names the whole tuple).
    const req = http.request(`${origin}/`, { method, path, headers: framed, agent, maxHeaderSize: 1 << 20 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Writes raw bytes on a fresh connection and parses the first answer (status line, headers,
 * a Content-Length body; none for HEAD). For request lines node's client would refuse to send,
 * and for HEAD, whose error answers may carry a body when the request could not be parsed.
 */
export function rawRequest(port: number, bytes: Buffer, headRequest = false): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = () => {
      if (settled) return;
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0]!)?.[1] ?? NaN);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = headRequest ? 0 : Number(headers['content-length'] ?? 0);
      if (all.length < end + 4 + length) return;
      settled = true;
      socket.destroy();
      resolve({ status, headers, body: all.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      settle();
    });
    socket.on('error', (err) => {
      if (!settled) reject(err);
    });
    socket.on('close', () => {
      settle();
      if (!settled) reject(new Error(`connection closed without a complete answer: ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    });
    socket.end(bytes);
  });
}

const ENVELOPE_KEYS = new Set(['code', 'status', 'message', 'reason', 'request', 'details']);

/**
 * Why an error answer is not Keto's envelope `{"error":{"code":N,"status":"…","message":"…"}}`
 * with code equal to the HTTP status; undefined when it is.
 */
export function envelopeProblem(res: FuzzResponse): string | undefined {
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) {
    return `content-type ${String(res.headers['content-type'])}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return 'body is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).join() !== 'error') return 'no single "error" key';
  const error = (parsed as { error: Record<string, unknown> }).error;
  if (typeof error !== 'object' || error === null) return '"error" is not an object';
  const extra = Object.keys(error).filter((k) => !ENVELOPE_KEYS.has(k));
  if (extra.length > 0) return `unexpected keys ${extra.join(', ')}`;
  if (error.code !== res.status) return `code ${String(error.code)} differs from the HTTP status ${res.status}`;
  if (error.status !== STATUS_CODES[res.status]) return `status text ${String(error.status)}`;
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (error.reason !== undefined && typeof error.reason !== 'string') return 'reason is not a string';
  return undefined;
}

/** Percent-encodes every UTF-8 byte but the unreserved ones (a lone surrogate becomes U+FFFD, as on any wire). */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
