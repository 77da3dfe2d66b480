import { GatehouseError, invalidArgument } from '../../errors.js';
import type { MigrationStatus, Migrator } from '../store.js';
import { placeholders, type SqlDriver, type SqlExecutor } from '../sql/driver.js';
import {
  GATEHOUSE_MIGRATION_TABLE,
  GATEHOUSE_MIGRATION_TABLE_DDL,
  isRecorded,
  KETO_MIGRATION_TABLE,
  KETO_MIGRATION_TABLE_DDL,
  ketoVersions,
} from './keto-history.js';
import type { DialectSchema, Statement } from './schema.js';

interface Step {
  readonly version: string;
  readonly name: string;
  isApplied(history: History): boolean;
  up(tx: SqlExecutor, history: History): Promise<void>;
  down(tx: SqlExecutor): Promise<void>;
}

interface History {
  readonly keto: ReadonlySet<string>;
  readonly gatehouse: ReadonlySet<string>;
  readonly ketoTableExists: boolean;
  readonly gatehouseTableExists: boolean;
}

async function run(tx: SqlExecutor, statements: readonly Statement[]): Promise<void> {
  for (const statement of statements) {
    if (typeof statement === 'string') await tx.execute(statement);
    else if ((await tx.query(statement.unless)).length === 0) await tx.execute(statement.sql);
  }
}

/**
 * Applies and reverts gatehouse's schema. Keto's whole migration history is one step:
 * it creates Keto's final tables and records every Keto version in Keto's own
 * `schema_migration` table, so Keto accepts a database gatehouse created, and a
 * database Keto migrated is recognised and only gatehouse's steps run on top. Each step
 * runs in one transaction where the dialect allows schema changes in transactions.
 */
export class SqlMigrator implements Migrator {
  private readonly steps: Step[];

  constructor(
    private readonly driver: SqlDriver,
    schema: DialectSchema,
  ) {
    const versions = ketoVersions(driver.dialect.name);
    const lastKetoVersion = versions[versions.length - 1]!;
    const ketoStep: Step = {
      version: lastKetoVersion,
      name: `keto_schema (Keto migrations ${versions[0]} to ${lastKetoVersion})`,
      isApplied: (history) => versions.every((v) => isRecorded(v, history.keto)),
      up: async (tx, history) => {
        const recorded = versions.filter((v) => isRecorded(v, history.keto));
        if (recorded.length > 0) {
          throw new GatehouseError(
            'unprocessable',
            `This database holds part of Keto's migration history (up to ${recorded[recorded.length - 1]}); ` +
              `finish it with Keto's "keto migrate up" (version ${lastKetoVersion}) before running gatehouse's migrations`,
          );
        }
        if (!history.ketoTableExists) await run(tx, KETO_MIGRATION_TABLE_DDL);
        await run(tx, schema.keto.up);
        // One statement: on MySQL the DDL above committed, and a run killed between single-row
        // inserts would leave part of Keto's history, which no later run may complete.
        await tx.execute(`INSERT INTO ${KETO_MIGRATION_TABLE} (version) VALUES ${placeholders(versions.length, 1)}`, versions);
      },
      down: async (tx) => {
        await run(tx, schema.keto.down);
        const recorded = versions.flatMap((v) => [v, v.slice(0, 14)]);
        await tx.execute(
          `DELETE FROM ${KETO_MIGRATION_TABLE} WHERE version IN (${recorded.map(() => '?').join(', ')})`,
          recorded,
        );
      },
    };
    const ownSteps = schema.gatehouse.map(
      (step): Step => ({
        version: step.version,
        name: step.name,
        isApplied: (history) => history.gatehouse.has(step.version),
        up: async (tx, history) => {
          if (!history.gatehouseTableExists) await tx.execute(GATEHOUSE_MIGRATION_TABLE_DDL);
          await run(tx, step.up);
          await tx.execute(`INSERT INTO ${GATEHOUSE_MIGRATION_TABLE} (version) VALUES (?)`, [step.version]);
        },
        down: async (tx) => {
          await run(tx, step.down);
          await tx.execute(`DELETE FROM ${GATEHOUSE_MIGRATION_TABLE} WHERE version = ?`, [step.version]);
        },
      }),
    );
    this.steps = [ketoStep, ...ownSteps];
  }

  async status(): Promise<MigrationStatus[]> {
    const history = await this.history(this.driver);
    return this.steps.map((step) => ({
      version: step.version,
      name: step.name,
      state: step.isApplied(history) ? 'applied' : 'pending',
    }));
  }

  async up(steps?: number): Promise<string[]> {
    if (steps !== undefined) checkSteps(steps);
    const applied: string[] = [];
    for (const step of this.steps) {
      if (steps !== undefined && applied.length >= steps) break;
      if (step.isApplied(await this.history(this.driver))) continue;
      const ran = await this.inStep(async (tx) => {
        const history = await this.history(tx);
        if (step.isApplied(history)) return false;
        await step.up(tx, history);
        return true;
      });
      if (ran) applied.push(step.version);
    }
    return applied;
  }

  async down(steps: number): Promise<string[]> {
    checkSteps(steps);
    const reverted: string[] = [];
    for (const step of [...this.steps].reverse()) {
      if (reverted.length >= steps) break;
      if (!step.isApplied(await this.history(this.driver))) continue;
      const ran = await this.inStep(async (tx) => {
        if (!step.isApplied(await this.history(tx))) return false;
        await step.down(tx);
        return true;
      });
      if (ran) reverted.push(step.version);
    }
    return reverted;
  }

  /**
   * Runs one step under the migration lock, re-reading the history once the lock is held
   * (another process may have applied the step meanwhile): in one transaction where the
   * dialect allows schema changes in transactions, on one connection on MySQL.
   */
  private inStep(work: (tx: SqlExecutor) => Promise<boolean>): Promise<boolean> {
    const { dialect } = this.driver;
    const locked = async (tx: SqlExecutor) => {
      await dialect.lockMigrations(tx);
      try {
        return await work(tx);
      } finally {
        await dialect.unlockMigrations(tx);
      }
    };
    // Untimed: a schema change on a big table may run far longer than any request's statement.
    return dialect.transactionalDdl || dialect.name === 'mysql' ? this.driver.transaction(locked, { untimed: true, schema: true }) : locked(this.driver);
  }

  private async history(on: SqlExecutor): Promise<History> {
    const keto = await this.versionsIn(on, KETO_MIGRATION_TABLE);
    const gatehouse = await this.versionsIn(on, GATEHOUSE_MIGRATION_TABLE);
    return {
      keto: keto ?? new Set(),
      gatehouse: gatehouse ?? new Set(),
      ketoTableExists: keto !== undefined,
      gatehouseTableExists: gatehouse !== undefined,
    };
  }

  /** The versions recorded in `table`, or undefined when the table does not exist. */
  private async versionsIn(on: SqlExecutor, table: string): Promise<Set<string> | undefined> {
    if (!(await this.driver.dialect.tableExists(on, table))) return undefined;
    const rows = await on.query<{ version: string }>(`SELECT version FROM ${table}`);
    return new Set(rows.map((row) => row.version));
  }
}

function checkSteps(steps: number): void {
  if (!Number.isSafeInteger(steps) || steps < 1) throw invalidArgument(`the number of steps must be a positive integer, got ${steps}`);
}
