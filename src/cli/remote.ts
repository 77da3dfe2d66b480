/**
 * Reaching the server the way Keto's CLI does: `--read-remote` / `--write-remote` (env
 * KETO_READ_REMOTE / KETO_WRITE_REMOTE, or gatehouse's GATEHOUSE_READ_REMOTE /
 * GATEHOUSE_WRITE_REMOTE), TLS unless `--insecure-disable-transport-security`,
 * `--insecure-skip-hostname-verification`, `--authority` (env KETO_AUTHORITY),
 * a bearer token from KETO_BEARER_TOKEN, and `--block` to wait for the server.
 * Beyond Keto, `-c` with the server's own config files gives its address and whether it serves TLS.
 */
import { parseDurationMs } from '../config/duration.js';
import { servesTls } from '../config/tls.js';
import { GrpcConnection } from '../client/connection.js';
import { KetoClient } from '../client/keto.js';
import { GrpcCallError } from '../client/status.js';
import { UsageError, type FlagSpec, type ParsedArgs } from './flags.js';
import type { CliIo } from './io.js';

export const DEFAULT_READ_REMOTE = '127.0.0.1:4466';
export const DEFAULT_WRITE_REMOTE = '127.0.0.1:4467';
const CONNECT_TIMEOUT_MS = 10_000;
const BLOCK_RETRY_MS = 500;

export const REMOTE_FLAGS: readonly FlagSpec[] = [
  { name: 'read-remote', kind: 'string', default: DEFAULT_READ_REMOTE, description: 'Remote address of the read API endpoint (env KETO_READ_REMOTE or GATEHOUSE_READ_REMOTE).' },
  { name: 'write-remote', kind: 'string', default: DEFAULT_WRITE_REMOTE, description: 'Remote address of the write API endpoint (env KETO_WRITE_REMOTE or GATEHOUSE_WRITE_REMOTE).' },
  { name: 'authority', kind: 'string', description: 'Set the authority header for the remote gRPC server (env KETO_AUTHORITY).' },
  {
    name: 'insecure-disable-transport-security',
    kind: 'bool',
    description: 'Disables transport security. Do not use this in production.',
  },
  {
    name: 'insecure-skip-hostname-verification',
    kind: 'bool',
    description: 'Disables hostname verification. Do not use this in production.',
  },
  {
    name: 'config',
    short: 'c',
    kind: 'list',
    description:
      'Config files of the server (as given to gatehouse serve): connect to its read or write address, with TLS only if it serves TLS. The remote flags and env vars win over it.',
  },
  { name: 'block', kind: 'bool', description: 'Block until the connection is up.' },
  { name: 'timeout', kind: 'string', default: '30s', description: 'Deadline of each request (gatehouse), e.g. 500ms, 30s, 2m.' },
];

export type Endpoint = 'read' | 'write';

const ENV = {
  read: { keto: 'KETO_READ_REMOTE', own: 'GATEHOUSE_READ_REMOTE', fallback: DEFAULT_READ_REMOTE },
  write: { keto: 'KETO_WRITE_REMOTE', own: 'GATEHOUSE_WRITE_REMOTE', fallback: DEFAULT_WRITE_REMOTE },
} as const;

export interface Remote {
  /** `host:port`. */
  readonly address: string;
  readonly plaintext: boolean;
}

/**
 * The flag; then GATEHOUSE_*_REMOTE, then KETO_*_REMOTE; then the server's config files (`-c`:
 * Keto's CLI accepts `-c` on every command and ignores it, so a script written for Keto keeps
 * reaching the remote its variables name); then the default (with Keto's notice on stderr).
 */
export async function resolveRemote(endpoint: Endpoint, args: ParsedArgs, io: CliIo): Promise<Remote> {
  const flag = `${endpoint}-remote`;
  const plaintext = args.bool('insecure-disable-transport-security');
  const env = ENV[endpoint];
  let remote: string;
  if (args.changed.has(flag)) remote = args.string(flag);
  else if (io.env[env.own] !== undefined) remote = io.env[env.own]!;
  else if (io.env[env.keto] !== undefined) remote = io.env[env.keto]!;
  else if (args.changed.has('config')) return serverRemote(endpoint, args.list('config'), io, plaintext);
  else {
    remote = env.fallback;
    io.err(`neither flag --${flag} nor env var ${env.keto} are set, falling back to ${remote}\n`);
  }
  const url = /^(https?):\/\/([^/]+)\/?$/.exec(remote);
  if (url) {
    io.err(`remote ${JSON.stringify(remote)} seems to be an http URL instead of a remote address; using ${url[2]}\n`);
    return { address: url[2]!, plaintext };
  }
  return { address: remote, plaintext };
}

/** A server listening on every interface is reached on the loopback address of the same family. */
const LOOPBACK: Readonly<Record<string, string>> = { '': '127.0.0.1', '0.0.0.0': '127.0.0.1', '::': '[::1]' };

/** The endpoint as the server sees it: its config files with this environment's overrides (SERVE_READ_PORT…). */
async function serverRemote(endpoint: Endpoint, files: string[], io: CliIo, plaintext: boolean): Promise<Remote> {
  const { loadConfig } = await import('../config/load.js');
  const { host, port, tls } = loadConfig({ files, env: io.env }).serve[endpoint];
  const reachable = LOOPBACK[host] ?? (host.includes(':') ? `[${host}]` : host);
  return { address: `${reachable}:${port}`, plaintext: plaintext || !servesTls(tls) };
}

export function requestTimeoutMs(args: ParsedArgs): number {
  const raw = args.string('timeout');
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms <= 0) throw new UsageError(`invalid argument ${JSON.stringify(raw)} for --timeout flag: expected a duration such as 30s`);
  return ms;
}

/**
 * Opens a client on the read or write endpoint (at `resolved`, when the caller resolved it
 * already); with `--block`, retries until the server accepts the connection.
 */
export async function connect(endpoint: Endpoint, args: ParsedArgs, io: CliIo, resolved?: Remote): Promise<KetoClient> {
  const { address: remote, plaintext } = resolved ?? (await resolveRemote(endpoint, args, io));
  const timeoutMs = requestTimeoutMs(args);
  const authority = args.changed.has('authority') ? args.string('authority') : (io.env.KETO_AUTHORITY ?? io.env.GATEHOUSE_AUTHORITY);
  const bearerToken = io.env.KETO_BEARER_TOKEN ?? io.env.GATEHOUSE_BEARER_TOKEN;
  const options = {
    remote,
    plaintext,
    skipVerify: args.bool('insecure-skip-hostname-verification'),
    ...(authority ? { authority } : {}),
    ...(bearerToken ? { bearerToken } : {}),
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  };
  const block = args.bool('block');
  for (;;) {
    try {
      return new KetoClient(await GrpcConnection.connect(options), { timeoutMs });
    } catch (err) {
      if (!block || !(err instanceof GrpcCallError && err.transient)) throw err;
      await new Promise((resolve) => setTimeout(resolve, BLOCK_RETRY_MS));
    }
  }
}

/** Runs `use` with a connected client and closes it afterwards. */
export async function withClient<T>(
  endpoint: Endpoint,
  args: ParsedArgs,
  io: CliIo,
  use: (client: KetoClient) => Promise<T>,
): Promise<T> {
  const client = await connect(endpoint, args, io);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
