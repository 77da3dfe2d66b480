import type { RelationTupleStore } from './store.js';

/**
 * Tells followers that the changelog moved. In-process followers are poked directly; a
 * store whose database can carry notices between processes (PostgreSQL's LISTEN/NOTIFY)
 * also tells every other process, so replicas catch up at once instead of at their next poll.
 */
export interface ChangeNotifications {
  /** Announces a committed write. Never throws: a lost notice only delays followers until their poll. */
  announce(): void;
  close(): Promise<void>;
}

/** The store with every successful write announced, and its revision told to `committed` first. */
export function announcingWrites(
  store: RelationTupleStore,
  notifications: ChangeNotifications,
  committed: (revision: number) => void = () => undefined,
): RelationTupleStore {
  const announced = <A extends unknown[]>(write: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<number> => {
      const revision = await write(...args);
      committed(revision);
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
