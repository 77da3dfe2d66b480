import { durationMs } from '../config/duration.js';
import type { Config } from '../config/types.js';
import { openStore } from './open.js';
import type { SpanRunner } from './sql/traced-driver.js';
import type { RelationTupleStore, StoreOptions } from './store.js';

/**
 * The store settings of a configuration (`database.*`, `secrets.pagination`). Given
 * `current`, the pagination secrets follow configuration reloads.
 */
export function storeOptionsFromConfig(config: Config, current?: () => Config): StoreOptions {
  return {
    maxConnections: config.database.max_conns,
    acquireTimeoutMs: durationMs(config.database.acquire_timeout),
    maxRetries: config.database.max_retries,
    statementTimeoutMs: durationMs(config.database.statement_timeout),
    paginationSecrets: current === undefined ? (config.secrets.pagination ?? []) : () => current().secrets.pagination ?? [],
  };
}

/**
 * Opens the configured store. Pending migrations are applied only when `migrate` is set
 * (`serve --migrate`) or the DSN is `memory`, whose database starts empty every time;
 * otherwise they are left for `gatehouse migrate up` and reported by readiness.
 */
export async function openConfiguredStore(current: () => Config, migrate: boolean, spans?: SpanRunner): Promise<RelationTupleStore> {
  const config = current();
  const store = await openStore(config.dsn, { ...storeOptionsFromConfig(config, current), ...(spans && { spans }) });
  if (migrate || config.dsn === 'memory') {
    try {
      await store.migrations.up();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

/** Keto's readiness message while migrations are pending. */
export const PENDING_MIGRATIONS_MESSAGE = 'migrations have not yet been fully applied';

/** Whether every known migration is applied. */
export async function migrationsPending(store: RelationTupleStore): Promise<boolean> {
  return (await store.migrations.status()).some((m) => m.state === 'pending');
}
