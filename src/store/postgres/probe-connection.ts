import pg from 'pg';
import type { Row, SqlParameter } from '../sql/driver.js';
import { statementNames } from './statement-names.js';

/** The probe connection carries the head read alone; the bound only keeps a misuse from growing it. */
const MAX_PROBE_STATEMENTS = 16;

interface OpenConnection {
  readonly client: pg.Client;
  /** Settles once connected; a connection that failed to open is dropped. */
  readonly ready: Promise<void>;
}

/**
 * One connection of its own, outside the pool, for the small statement that every read in
 * the default consistency waits on (the head revision): no checkout, and each statement is
 * prepared under a name once per connection, so that every later run is one round trip
 * (bind, execute, sync) with no parse or plan on the server.
 *
 * Statements run one at a time, in the order asked; callers asking for a statement (same
 * text, same parameters) while it waits behind another share it, and its rows: it is sent
 * after all of them asked. The head read thus waits behind one statement at most, however
 * many callers there are. A connection that was lost (its server ended it, or a statement
 * was abandoned on it) is closed; the next statement opens another, within the connect
 * timeout of `config`.
 */
export class ProbeConnection {
  private current: OpenConnection | undefined;
  private readonly nameOf = statementNames('gatehouse_probe', MAX_PROBE_STATEMENTS);
  /** The statements not sent yet, by text and parameters. */
  private readonly waiting = new Map<string, Promise<Row[]>>();
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    /** Whether the connection cannot be trusted after a statement failed with `error`. */
    private readonly lost: (error: unknown) => boolean,
  ) {}

  /** Rows of `text` (`$n` placeholders), once the statements asked for before it have ended. */
  query<T extends Row>(text: string, params: readonly SqlParameter[]): Promise<T[]> {
    const key = JSON.stringify([text, params]);
    const waiting = this.waiting.get(key);
    if (waiting !== undefined) return waiting as Promise<T[]>;
    const run = this.tail.then(() => {
      this.waiting.delete(key);
      return this.run<T>(text, params);
    });
    this.waiting.set(key, run);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const open = this.current;
    this.current = undefined;
    await open?.client.end().catch(() => undefined);
  }

  private async run<T extends Row>(text: string, params: readonly SqlParameter[]): Promise<T[]> {
    if (this.closed) throw new Error('the probe connection was closed and is not queryable');
    const open = this.open();
    try {
      await open.ready;
      const name = this.nameOf(text);
      return (await open.client.query<T>({ ...(name !== undefined && { name }), text, values: params as SqlParameter[] })).rows;
    } catch (error) {
      if (this.lost(error)) this.drop(open.client);
      throw error;
    }
  }

  private open(): OpenConnection {
    if (this.current !== undefined) return this.current;
    const client = new pg.Client(this.config);
    // An idle connection ended by its server must not take the process down; the next statement opens another.
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    const ready = client.connect().then(
      () => undefined,
      (error: unknown) => {
        this.drop(client);
        throw error;
      },
    );
    this.current = { client, ready };
    return this.current;
  }

  private drop(client: pg.Client): void {
    if (this.current?.client !== client) return;
    this.current = undefined;
    void client.end().catch(() => undefined);
  }
}
