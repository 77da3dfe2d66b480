import type { RestRoute } from './route.js';

/** One readiness condition (database reachable, migrations applied …); throws or rejects when not ready. */
export interface ReadinessCheck {
  /** The key under which Keto reports it, e.g. "database" or "migrations". */
  readonly name: string;
  check(): Promise<void> | void;
}

/** The message a failed check reports: its own words only when it says they are safe to show. */
export class NotReady extends Error {
  override readonly name = 'NotReady';
}

const OBFUSCATED = 'error may contain sensitive information and was obfuscated';

/** What readiness says of a database it cannot reach: no driver message, no address, no DSN. */
export const DATABASE_UNREACHABLE = 'database unreachable';

/** Runs every check; returns the failures by name (empty when ready). */
export async function readinessErrors(checks: readonly ReadinessCheck[]): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  await Promise.all(
    checks.map(async (c) => {
      try {
        await c.check();
      } catch (err) {
        errors[c.name] = err instanceof NotReady ? err.message : OBFUSCATED;
      }
    }),
  );
  return errors;
}

/** `GET /health/alive`, `GET /health/ready` and `GET /version`, in Keto's shapes. */
export function healthRoutes(deps: { version: string; readiness: () => readonly ReadinessCheck[] }): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/health/alive',
      handle: async () => ({ status: 200, body: { status: 'ok' } }),
    },
    {
      method: 'GET',
      path: '/health/ready',
      handle: async () => {
        const errors = await readinessErrors(deps.readiness());
        return Object.keys(errors).length === 0
          ? { status: 200, body: { status: 'ok' } }
          : { status: 503, body: { errors } };
      },
    },
    {
      method: 'GET',
      path: '/version',
      handle: async () => ({ status: 200, body: { version: deps.version } }),
    },
  ];
}
