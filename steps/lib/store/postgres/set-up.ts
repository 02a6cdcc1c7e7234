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
import { WorkbenchError } from '../../core/index.ts';
import { storeErrorOf } from './connect.ts';
import { type Migrated, migrate, settingUp } from './migrations.ts';
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
