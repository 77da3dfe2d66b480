import type pg from 'pg';
import type { RelationTupleStore } from '../store/store.js';

/** The PostgreSQL channel a gatehouse process notifies after each committed write. */
export const CHANGELOG_CHANNEL = 'gatehouse_changelog';

/**
 * Tells followers that the changelog moved. In-process followers are poked directly;
 * on PostgreSQL every gatehouse process also LISTENs on one channel and NOTIFYs it after
 * each write it commits, so replicas catch up at once instead of at their next poll.
 */
export interface ChangeNotifications {
  /** Announces a committed write. Never throws: a lost notice only delays followers until their poll. */
  announce(): void;
  close(): Promise<void>;
}

/** The store with every successful write announced. */
export function announcingWrites(store: RelationTupleStore, notifications: ChangeNotifications): RelationTupleStore {
  const announced = <A extends unknown[]>(write: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<number> => {
      const revision = await write(...args);
      notifications.announce();
      return revision;
    };
  const transact = announced(store.transact.bind(store));
  const deleteMatching = announced(store.deleteMatching.bind(store));
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'transact') return transact;
      if (property === 'deleteMatching') return deleteMatching;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Pokes the in-process follower only (SQLite, MySQL, CockroachDB: other processes poll). */
export function localNotifications(onChange: () => void): ChangeNotifications {
  return { announce: onChange, close: async () => undefined };
}

/**
 * LISTEN/NOTIFY on PostgreSQL over one dedicated connection, reconnecting with backoff
 * when it drops (followers keep polling meanwhile).
 */
export function postgresNotifications(
  dsn: string,
  onChange: () => void,
  onError: (error: unknown) => void,
): ChangeNotifications {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    // Loaded here, not at the top: processes on other databases never need the client library.
    const { default: postgres } = await import('pg');
    const c = new postgres.Client({ connectionString: dsn });
    c.on('error', (error) => {
      onError(error);
      reconnect(c);
    });
    c.on('notification', () => onChange());
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGELOG_CHANNEL}`);
      if (closed) return void (await c.end().catch(() => undefined));
      client = c;
      retryMs = 100;
      onChange();
    } catch (error) {
      onError(error);
      reconnect(c);
    }
  };
  const reconnect = (broken: pg.Client) => {
    if (client === broken) client = undefined;
    void broken.end().catch(() => undefined);
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 5000);
  };
  void connect();

  return {
    announce() {
      onChange();
      client?.query(`NOTIFY ${CHANGELOG_CHANNEL}`).catch(onError);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
