import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuthConfig, Config, ConfigChange, EndpointName, LiveConfig, PresharedKeySource } from '../config/types.js';
import { GatehouseError, invalidArgument } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** What a request shows to prove who sent it. */
export interface Credentials {
  /** The `authorization` header (REST) or metadata (gRPC). */
  readonly authorization: string | string[] | undefined;
  /** True when the TLS peer presented a certificate that chains to the listener's client CA. */
  readonly peerCertified: boolean;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest();

/**
 * The authentication one listener requires: none, preshared keys (held as SHA-256 digests,
 * compared in constant time), a client certificate, or both.
 */
export class ListenerAuth {
  private constructor(
    private readonly digests: readonly Buffer[],
    private readonly certificate: boolean,
  ) {}

  static none(): ListenerAuth {
    return new ListenerAuth([], false);
  }

  /** Reads the keys from their files and environment variables; an unreadable or empty key refuses the start. */
  static fromConfig(endpoint: EndpointName, config: AuthConfig, env: Readonly<Record<string, string | undefined>>): ListenerAuth {
    const digests = config.preshared_keys.map((source, i) => keyDigest(`serve.${endpoint}.auth.preshared_keys.${i}`, source, env));
    return new ListenerAuth(digests, config.client_ca !== undefined);
  }

  get required(): boolean {
    return this.digests.length > 0 || this.certificate;
  }

  /** Undefined when the credentials are enough; otherwise the error to answer with (401 / UNAUTHENTICATED). */
  refusal(credentials: Credentials): GatehouseError | undefined {
    if (!this.required) return undefined;
    if (this.certificate && !credentials.peerCertified) {
      return new GatehouseError('unauthenticated', 'A client certificate signed by a trusted authority is required.');
    }
    if (this.digests.length === 0) return undefined;
    const header = credentials.authorization;
    const key = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (key === undefined) return new GatehouseError('unauthenticated', 'The request must carry "Authorization: Bearer <key>".');
    const presented = sha256(key);
    // Every digest is compared, so the time taken does not tell which key (or how much of one) matched.
    let matched = false;
    for (const digest of this.digests) matched = timingSafeEqual(presented, digest) || matched;
    return matched ? undefined : new GatehouseError('unauthenticated', 'The key is not valid.');
  }
}

const ENDPOINTS: readonly EndpointName[] = ['read', 'write', 'opl', 'metrics'];
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The authentication of every listener. Preshared keys follow configuration reloads (a key
 * that cannot be read keeps the listener's previous keys, with an error logged); a client CA
 * is part of the TLS listener and waits for a restart.
 */
export class LiveAuth {
  readonly #auths = {} as Record<EndpointName, ListenerAuth>;
  readonly #unsubscribe: () => void;

  constructor(
    config: LiveConfig,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {
    for (const name of ENDPOINTS) this.#auths[name] = ListenerAuth.fromConfig(name, config.current().serve[name].auth, env);
    this.#unsubscribe = config.subscribe((next, change) => this.#reload(next, change));
  }

  of(endpoint: EndpointName): ListenerAuth {
    return this.#auths[endpoint];
  }

  close(): void {
    this.#unsubscribe();
  }

  #reload(next: Config, change: ConfigChange): void {
    for (const name of ENDPOINTS) {
      const prefix = `serve.${name}.auth.preshared_keys`;
      if (!change.applied.some((key) => key === prefix || key.startsWith(`${prefix}.`))) continue;
      try {
        this.#auths[name] = ListenerAuth.fromConfig(name, next.serve[name].auth, this.env);
        this.logger.info({ listener: name, keys: next.serve[name].auth.preshared_keys.length }, 'preshared keys reloaded');
      } catch (err) {
        this.logger.error({ listener: name, problem: (err as Error).message }, 'preshared keys not reloaded, the previous keys stay in force');
      }
    }
  }
}

function keyDigest(name: string, source: PresharedKeySource, env: Readonly<Record<string, string | undefined>>): Buffer {
  if (source.sha256 !== undefined) return Buffer.from(source.sha256, 'hex');
  let key: string;
  if (source.env !== undefined) {
    key = (env[source.env] ?? '').trim();
    if (key === '') throw invalidArgument(`${name}.env: the environment variable ${source.env} is unset or empty`);
  } else {
    try {
      key = readFileSync(source.path ?? '', 'utf8').trim();
    } catch (err) {
      throw invalidArgument(`${name}.path: cannot read ${source.path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (key === '') throw invalidArgument(`${name}.path: ${source.path} holds no key`);
  }
  if (/\s/.test(key)) throw invalidArgument(`${name}: a key cannot contain white space`);
  return sha256(key);
}
