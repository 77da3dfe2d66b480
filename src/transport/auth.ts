import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuthConfig, EndpointName, PresharedKeySource } from '../config/types.js';
import { GatehouseError, invalidArgument } from '../errors.js';

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
