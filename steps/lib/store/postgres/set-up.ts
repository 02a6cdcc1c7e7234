/**
 * Setting a database up for the store: our migrations, then pg-boss's schema and queues, one
 * process at a time (settingUp). Listeners, workers and `npm run db:migrate` all start with it,
 * and whatever Postgres refuses here (a user that may not create the tables, a migration that
 * fails) is a StoreError that says what to fix, as a failed connection is.
 *
 * @example
 * const { applied, databaseVersion, boss } = await setUpDatabase(pool, { url, timeoutMs: 10_000, retry, supervise: false, log });
 */
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { StoreError, WorkbenchError } from '../../core/index.ts';
import { notSetUpForReadingError, storeErrorOf } from './connect.ts';
import { hasEveryMigration, type Migrated, migrate, settingUp } from './migrations.ts';
import { type QueueOptions, startQueue } from './queue.ts';

/** DATABASE_URL and HTTP_TIMEOUT_MS are also for the error's message. */
export type SetUpOptions = Omit<QueueOptions, 'pool'>;

/** The migrations applied now (and the database's version), and the started queue; rejects with a StoreError. */
export async function setUpDatabase(pool: pg.Pool, options: SetUpOptions): Promise<Migrated & { boss: PgBoss }> {
  try {
    return await settingUp(pool, async () => {
      const migrated = await migrate(pool);
      return { ...migrated, boss: await startQueue({ pool, ...options }) };
    });
  } catch (error) {
    throw error instanceof WorkbenchError ? error : storeErrorOf(error, options.url, options.timeoutMs);
  }
}

/**
 * A reader's start (step 5, `npm run inspector`): nothing is written when the database has every
 * migration already, so a read-only one (a standby, default_transaction_read_only) serves it.
 * Otherwise the set-up above, and when a read-only database refuses that, an error saying the
 * tables are missing. Returns the queue when it was started (undefined when nothing was).
 */
export async function setUpForReading(pool: pg.Pool, options: SetUpOptions): Promise<PgBoss | undefined> {
  let ready: boolean;
  try {
    ready = await hasEveryMigration(pool);
  } catch (error) {
    throw storeErrorOf(error, options.url, options.timeoutMs);
  }
  if (ready) return undefined;
  try {
    return (await setUpDatabase(pool, options)).boss;
  } catch (error) {
    throw isReadOnlyRefusal(error) ? notSetUpForReadingError(options.url, error) : error;
  }
}

/** A StoreError for Postgres's read_only_sql_transaction (25006). */
function isReadOnlyRefusal(error: unknown): boolean {
  return error instanceof StoreError && (error.cause as { code?: unknown } | undefined)?.code === '25006';
}
