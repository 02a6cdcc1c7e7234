/**
 * The job queue, pg-boss 10 on the same database: one job per new verified delivery, inserted in
 * the listener's own transaction (pg-boss's `db` option), so the row and its job are committed
 * together or not at all. The queue's policy carries HANDLER_RETRY_LIMIT, HANDLER_RETRY_DELAY_MS
 * (pg-boss counts it in whole seconds, at least 1 with backoff) with exponential backoff, and
 * HANDLER_TIMEOUT_MS as the job's expiry; after its last try a job goes to the dead-letter queue.
 *
 * pg-boss 11 and later need Node 22; this project supports Node 20, so it stays on 10.x.
 *
 * @example
 * const boss = await startQueue({ pool, retry: config.handlers, supervise: true, log });
 * await boss.send(DELIVERY_QUEUE, { deliveryId, jobId }, { id: jobId, db: sqlOn(client) });
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { RetryPolicy } from '../../delivery/index.ts';
import { queueErrors } from './queue-errors.ts';

/** Jobs for new deliveries. */
export const DELIVERY_QUEUE = 'webhook-delivery';
/** Where a job goes after its last failed try. */
export const DEAD_LETTER_QUEUE = 'webhook-delivery-dead';

/** What a job carries: the delivery, and its own id (the dead-letter copy gets a new one, but keeps this). */
export interface JobData {
  readonly deliveryId: string;
  readonly jobId: string;
}

/**
 * Seconds a job may stay active before pg-boss's maintenance takes it back (a killed worker):
 * HANDLER_TIMEOUT_MS plus this margin, so a live worker's own timeout always fires first.
 */
const EXPIRY_MARGIN_SECONDS = 2;
/** How often a supervising process runs pg-boss's maintenance (expiring jobs of killed workers). */
const MAINTENANCE_INTERVAL_SECONDS = 1;

/** pg-boss's `db` option over a pool or one client (a transaction). */
export function sqlOn(client: pg.Pool | pg.ClientBase): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

export interface QueueOptions {
  readonly pool: pg.Pool;
  /** DATABASE_URL and HTTP_TIMEOUT_MS, for the errors it logs. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Runs pg-boss's maintenance (workers do; listeners only send). */
  readonly supervise: boolean;
  readonly log: (line: string) => void;
}

/** Starts pg-boss on `pool` (creating its schema when missing) and makes sure both queues exist with the policy. */
export async function startQueue(options: QueueOptions): Promise<PgBoss> {
  const { pool, retry, supervise, log } = options;
  const errors = queueErrors({ url: options.url, timeoutMs: options.timeoutMs, log });
  const boss = new PgBoss({
    db: {
      // Every query pg-boss makes; one that succeeds ends an outage that was said.
      async executeSql(text, values) {
        const result = await pool.query(text, values);
        errors.answered();
        return result;
      },
    },
    schedule: false,
    supervise,
    migrate: true,
    maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
  });
  boss.on('error', errors.failed);
  await boss.start();
  const policy = queuePolicy(retry);
  await boss.createQueue(DEAD_LETTER_QUEUE);
  await boss.createQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, ...policy });
  // The queue may exist from an earlier start with other settings: the latest start's settings apply to new jobs.
  await boss.updateQueue(DELIVERY_QUEUE, { name: DELIVERY_QUEUE, ...policy });
  return boss;
}

/** The queue's retry and expiry settings from the handler policy. */
export function queuePolicy(retry: RetryPolicy): Required<Pick<PgBoss.Queue, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds' | 'deadLetter'>> {
  return {
    retryLimit: retry.retryLimit,
    retryDelay: Math.max(1, Math.ceil(retry.retryDelayMs / 1000)),
    retryBackoff: true,
    expireInSeconds: Math.ceil(retry.timeoutMs / 1000) + EXPIRY_MARGIN_SECONDS,
    deadLetter: DEAD_LETTER_QUEUE,
  };
}
