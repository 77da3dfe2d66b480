import { invalidArgument } from '../errors.js';
import { digestOf, SignedTokens } from '../signed-tokens.js';
import type { RelationTupleStore } from './store.js';
import type { MaybePromise } from '../reader.js';

const TOKEN_VERSION = 1;
/** How many tokens a process remembers as already verified (the oldest is forgotten first). */
const REMEMBERED_TOKENS = 1024;

export const invalidSnaptoken = () => invalidArgument('The snaptoken is invalid: use a token this database issued, unchanged');

export const foreignSnaptoken = () => invalidArgument('The snaptoken was issued for another database');

/** A point in the changelog a snaptoken names. */
export interface ChangelogPosition {
  /** Every change up to this revision. */
  readonly revision: number;
  /**
   * When only part of `revision` is covered (a watch event inside a write of several
   * changes): how many of its changes, in the order watch lists them. Absent: all of it.
   */
  readonly within?: number;
}

/**
 * Snaptokens (consistency tokens): a revision of the database's changelog, and a digest of
 * the database's network id, signed as page tokens are (`secrets.pagination`, or the random
 * key kept in the database) under a purpose of their own. Opaque to clients; a token is only
 * honoured when its signature holds and it names this database. Reads treat a token as "at
 * least this revision"; watch resumes after the exact change it names.
 */
export class Snaptokens {
  private readonly tokens: SignedTokens;
  private readonly network: string;
  private lastRevision = -1;
  private lastToken = '';
  /**
   * Tokens this instance issued or found authentic, exactly as spelled, and what they name:
   * reading one again needs no signature check. Lives as long as the secrets it was checked under.
   */
  private readonly known = new Map<string, ChangelogPosition>();

  constructor(secrets: readonly string[], networkId: string) {
    this.tokens = new SignedTokens(secrets, 'snaptoken');
    this.network = digestOf(['network', networkId.toLowerCase()]);
  }

  issue(revision: number, within?: number): string {
    if (within !== undefined) return this.tokens.issue({ v: TOKEN_VERSION, n: this.network, r: revision, w: within });
    if (revision !== this.lastRevision) {
      this.lastToken = this.tokens.issue({ v: TOKEN_VERSION, n: this.network, r: revision });
      this.lastRevision = revision;
      this.remember(this.lastToken, { revision });
    }
    return this.lastToken;
  }

  /** The position a token names; invalid_argument for anything this database did not issue. */
  read(token: string): ChangelogPosition {
    const known = this.known.get(token);
    if (known !== undefined) return known;
    // base64url leaves spare bits in a final character: only the exact spelling issued is taken.
    if (!token.split('.').every(canonicalBase64url)) throw invalidSnaptoken();
    const payload = this.tokens.read(token);
    if (typeof payload !== 'object' || payload === null) throw invalidSnaptoken();
    const { v, n, r, w } = payload as { v?: unknown; n?: unknown; r?: unknown; w?: unknown };
    if (v !== TOKEN_VERSION || !isCount(r) || (w !== undefined && !isCount(w))) throw invalidSnaptoken();
    if (n !== this.network) throw foreignSnaptoken();
    const position = w === undefined ? { revision: r } : { revision: r, within: w };
    this.remember(token, position);
    return position;
  }

  private remember(token: string, position: ChangelogPosition): void {
    if (this.known.size >= REMEMBERED_TOKENS) this.known.delete(this.known.keys().next().value!);
    this.known.set(token, position);
  }
}

const canonicalBase64url = (part: string): boolean => Buffer.from(part, 'base64url').toString('base64url') === part;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The snaptokens of a store, following its secrets: built again only when the secrets change
 * (a reloaded `secrets.pagination`). Answered at once when the store knows both at once.
 */
export function snaptokensOf(store: Pick<RelationTupleStore, 'tokenSecrets' | 'networkId'>): () => MaybePromise<Snaptokens> {
  let cached: { secrets: readonly string[]; networkId: string; tokens: Snaptokens } | undefined;
  const current = (secrets: readonly string[], networkId: string): Snaptokens => {
    if (cached === undefined || cached.networkId !== networkId || !sameSecrets(cached.secrets, secrets)) {
      cached = { secrets, networkId, tokens: new Snaptokens(secrets, networkId) };
    }
    return cached.tokens;
  };
  return () => {
    const secrets = store.tokenSecrets();
    const networkId = store.networkId();
    return secrets instanceof Promise || networkId instanceof Promise
      ? Promise.all([secrets, networkId]).then(([s, n]) => current(s, n))
      : current(secrets, networkId);
  };
}

const sameSecrets = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((s, i) => s === b[i]));
