/** SQLite's `PRAGMA synchronous` levels, in the order of their numbers (0–3). */
export const SQLITE_SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS)[number];

/** What gatehouse runs with unless the DSN says otherwise: every commit is synced before it is acknowledged. */
export const DEFAULT_SQLITE_SYNCHRONOUS: SqliteSynchronous = 'FULL';
