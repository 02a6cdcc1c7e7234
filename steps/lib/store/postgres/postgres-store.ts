/**
 * The Postgres engine (DATABASE_URL): every answered request is one row of `workbench.delivery`,
 * committed before the listener answers. A new verified delivery's row and its pg-boss job are
 * inserted in one transaction; its dedupe key is UNIQUE among first copies, so a sender's retry,
 * whichever listener it reaches, finds it and is stored as a duplicate (and never queued). Any
 * number of listeners, workers and inspectors share one database.
 *
 * A listener's pool commits synchronously (the commit returns once the WAL is flushed: "stored
 * before the 2xx" means on disk, as with the file journal). A worker's pool does not (see worker.ts).
 *
 * @example
 * const store = await openPostgresStore({ url, timeoutMs: 10_000, retry: config.handlers, role: 'listener', log });
 * const view = await store.append(record, 'pending'); // committed, with its job
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { redactDatabaseUrl, WorkbenchError } from '../../core/index.ts';
import { checkRetry, type DeliveryHandler, type DeliveryRecord, type DeliveryView, type GetOptions, type RetryPolicy } from '../../delivery/index.ts';
import { type DeliveryStore, noCounts } from '../store.ts';
import { createAppender } from './appender.ts';
import { connectPool, transaction as inTransaction } from './connect.ts';
import { appendErrorOf } from './connection-lost.ts';
import { poolErrors } from './pool-errors.ts';
import { type Change, createNotifications, createNotifier, NOTIFY_ONE } from './notifications.ts';
import { DELIVERY_QUEUE, type JobData, sqlOn } from './queue.ts';
import { DELIVERY_TABLE, type DeliveryRow, listedViewColumns, VIEW_COLUMNS, viewColumnsUpTo, viewOf } from './rows.ts';
import { setUpDatabase, setUpForReading } from './set-up.ts';
import { type RunningWorker, startJobWorker } from './worker.ts';

/** A listener's connections for its appends: the one transaction in flight (appender.ts), and the announcements after it. */
const APPEND_CONNECTIONS = 2;

/** Who opens the store: a listener appends; a worker runs handlers; a reader (step 5, `npm run inspector`) reads and retries. */
export type StoreRole = 'listener' | 'worker' | 'reader';

export interface PostgresStoreOptions {
  /** DATABASE_URL. */
  readonly url: string;
  /** Connect timeout (HTTP_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** The queue's policy (config.handlers). */
  readonly retry: RetryPolicy;
  readonly role: StoreRole;
  readonly log?: (line: string) => void;
  /** Pool size; default 10. */
  readonly connections?: number;
}

export interface PostgresStore extends DeliveryStore {
  /**
   * The newest deliveries, newest first: `limit` at most, and no more once their bodies pass
   * `bodyBytes` (the newest is always there, however large).
   */
  recent(options: { limit: number; bodyBytes: number }): Promise<DeliveryView[]>;
  /** Runs handlers for queued deliveries in this process until closed (a worker's store only). */
  work(handler: DeliveryHandler, options: { concurrency: number }): Promise<RunningWorker>;
}

/** Connects, migrates, starts the queue (a reader on a set-up database only connects); rejects with a StoreError that says what to fix. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { url, retry, role, log = () => {} } = options;
  const receivedBy = `${hostname()} pid ${process.pid}`;
  // One for both of a listener's pools: Postgres going away is said once, not once per pool.
  const errors = poolErrors({ url, log });
  const pool = await connectPool({
    url,
    timeoutMs: options.timeoutMs,
    errors,
    applicationName: `bracken-webhook-workbench ${role}`,
    ...(options.connections === undefined ? {} : { max: options.connections }),
    // A worker's writes can all be redone (a lost one only runs a handler again): no need to wait for the flush.
    ...(role === 'worker' ? { asynchronousCommit: true } : {}),
  });
  const setUp = { url, timeoutMs: options.timeoutMs, retry, supervise: role === 'worker', log };
  // A reader writes nothing at start when the database is set up (a read-only standby serves it):
  // its queue is started at its first Retry now (startedQueue below).
  let boss: PgBoss | undefined;
  try {
    boss = role === 'reader' ? await setUpForReading(pool, setUp) : (await setUpDatabase(pool, setUp)).boss;
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  // A listener's appends get connections of their own: reads on the shared pool (the inspector's
  // list, a delivery's 63 MiB body, or many tabs of them) that are slow or many must never make a
  // webhook wait for a connection, and past HTTP_TIMEOUT_MS turn it into a 503.
  let appends = pool;
  if (role === 'listener') {
    try {
      appends = await connectPool({
        url,
        timeoutMs: options.timeoutMs,
        errors,
        applicationName: 'bracken-webhook-workbench listener appends',
        max: APPEND_CONNECTIONS,
      });
    } catch (error) {
      await boss?.stop({ graceful: false, close: false }).catch(() => {});
      await pool.end().catch(() => {});
      throw error;
    }
  }
  let queue: Promise<PgBoss> | undefined = boss === undefined ? undefined : Promise.resolve(boss);
  const startedQueue = (): Promise<PgBoss> => {
    queue ??= setUpDatabase(pool, setUp).then((started) => started.boss);
    // A refusal (a read-only database) goes to the caller; the next one tries again.
    queue.catch(() => {
      queue = undefined;
    });
    return queue;
  };
  // A worker is told of new deliveries to take them at once; the inspector, of every change to show.
  const whilePaused =
    role === 'worker'
      ? "new deliveries wait for the queue's next poll"
      : 'the inspector shows no new changes (reload it once they resume, to see what changed meanwhile)';
  const notifications = createNotifications({ url, timeoutMs: options.timeoutMs, log, whilePaused });
  const notifier = createNotifier(appends, log);
  const workers = new Set<RunningWorker>();

  const transaction = <T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> => inTransaction(pool, body);

  const read = async (where: string, values: unknown[], tail = '', columns = VIEW_COLUMNS): Promise<DeliveryView[]> => {
    const { rows } = await pool.query<DeliveryRow>(`SELECT ${columns} FROM ${DELIVERY_TABLE} WHERE ${where} ${tail}`, values);
    return rows.map(viewOf);
  };
  const get = async (id: string, options: GetOptions = {}) => {
    const columns = options.bodyUpToBytes === undefined ? VIEW_COLUMNS : viewColumnsUpTo(options.bodyUpToBytes);
    return (await read('id = $1', [id], '', columns))[0];
  };

  // Group commit: concurrent appends share a transaction (appender.ts).
  const appender = boss === undefined ? undefined : createAppender({ pool: appends, boss, receivedBy });
  const append = async (record: DeliveryRecord, handler: 'pending' | 'not-run'): Promise<DeliveryView> => {
    if (appender === undefined) throw new Error('Open the store with role "listener" to append deliveries.');
    // Coded, as at start: the listener's log line for a delivery it could not store names the code.
    const stored = await appender.append(record, handler).catch((error: unknown) => {
      throw error instanceof WorkbenchError ? error : appendErrorOf(error, url, options.timeoutMs);
    });
    notifier.notify(record.id, stored.handler); // after the commit: see notifications.ts
    return stored;
  };

  return {
    engine: 'postgres',
    location: redactDatabaseUrl(url),
    unavailableCode: 'store_unavailable',
    queuesHandlers: true,
    recovered: [],
    append,
    async recordOutcomes() {
      // Workers record outcomes with their jobs (worker.ts); no listener runs handlers on a shared store.
      throw new Error('With Postgres, handler outcomes are recorded by the worker that ran them.');
    },
    async list(query) {
      const filters: string[] = [];
      const values: unknown[] = [];
      if (query.verdict !== undefined) filters.push(`verdict = $${values.push(query.verdict)}`);
      if (query.handler !== undefined) filters.push(`handler = $${values.push(query.handler)}`);
      const where = filters.length === 0 ? 'TRUE' : filters.join(' AND ');
      const counted = await pool.query<{ total: string }>(`SELECT count(*) AS total FROM ${DELIVERY_TABLE} WHERE ${where}`, values);
      // Only the bodies the caller shows: the inspector's 1000 rows, read with 63 MiB bodies, passed the statement timeout.
      const columns = query.bodiesUpToBytes === undefined ? VIEW_COLUMNS : listedViewColumns(query.bodiesUpToBytes);
      const deliveries = await read(where, values, `ORDER BY seq DESC LIMIT ${Math.max(0, Math.trunc(query.limit))}`, columns);
      return { total: Number(counted.rows[0]?.total ?? 0), deliveries };
    },
    get,
    async readBody(id, offset, length) {
      // substring counts from 1. Postgres detoasts a stored body only up to the slice's end, and sends only the slice.
      const { rows } = await pool.query<{ body: Buffer }>(`SELECT substring(body from $2 for $3) AS body FROM ${DELIVERY_TABLE} WHERE id = $1`, [
        id,
        Math.max(0, Math.trunc(offset)) + 1,
        Math.max(0, Math.trunc(length)),
      ]);
      return rows[0]?.body;
    },
    recent({ limit, bodyBytes }) {
      // body_bytes is summed over the newest rows first; only the rows kept are read with their bodies.
      const newest = `SELECT id, sum(body_bytes) OVER (ORDER BY seq DESC) - body_bytes AS before FROM ${DELIVERY_TABLE} ORDER BY seq DESC LIMIT $1`;
      return read(`id IN (SELECT id FROM (${newest}) AS newest WHERE before < $2)`, [Math.max(1, Math.trunc(limit)), bodyBytes], 'ORDER BY seq DESC');
    },
    subscribe(onChange, options) {
      // Changes arrive as ids; the rows are read in one query per batch of changes, their bodies
      // only when the subscriber shows them (the inspector's live list: a 63 MiB body was read again at each state change).
      const columns = options?.bodiesUpToBytes === undefined ? VIEW_COLUMNS : listedViewColumns(options.bodiesUpToBytes);
      let waiting = new Set<string>();
      let scheduled = false;
      const flush = async () => {
        scheduled = false;
        const ids = [...waiting];
        waiting = new Set();
        const views = await read('id = ANY($1)', [ids], '', columns).catch(() => []);
        for (const view of views) onChange(view);
      };
      return notifications.subscribe(({ id }: Change) => {
        waiting.add(id);
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
    async retryNow(id, options) {
      const checked = checkRetry(id, await get(id), options);
      if (!checked.ok) return checked;
      const boss = await startedQueue();
      const retried = await transaction(async (client) => {
        const locked = await client.query<DeliveryRow & { job_id: string | null }>(
          `SELECT ${VIEW_COLUMNS}, job_id FROM ${DELIVERY_TABLE} WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const row = locked.rows[0];
        if (row === undefined || !checkRetry(id, viewOf(row), options).ok) return undefined;
        // A failed job still waiting for its retry would run as well: cancel it, so this one replaces it.
        if (row.job_id !== null) await boss.cancel(DELIVERY_QUEUE, row.job_id, { db: sqlOn(client) });
        const jobId = randomUUID();
        const data: JobData = { deliveryId: id, jobId };
        await boss.send(DELIVERY_QUEUE, data, { id: jobId, db: sqlOn(client) });
        // The row as queued, read in this transaction: a worker may claim it the moment it commits.
        const queued = await client.query<DeliveryRow>(
          `UPDATE ${DELIVERY_TABLE} SET handler = 'pending', handler_error = NULL, job_id = $2, handler_updated_at = now() WHERE id = $1 RETURNING ${VIEW_COLUMNS}`,
          [id, jobId],
        );
        await client.query(NOTIFY_ONE, [id, 'pending']);
        return queued.rows[0];
      });
      if (retried !== undefined) return { ok: true, delivery: viewOf(retried) };
      const now = await get(id);
      return { ok: false, reason: 'not_retryable', message: `Delivery ${id} changed meanwhile; it is ${now?.handler ?? 'gone'}.` };
    },
    async counts() {
      const counts = noCounts();
      const { rows } = await pool.query<{ handler: keyof typeof counts; n: string }>(`SELECT handler, count(*) AS n FROM ${DELIVERY_TABLE} GROUP BY handler`);
      for (const row of rows) counts[row.handler] = Number(row.n);
      return counts;
    },
    async work(handler, { concurrency }) {
      if (role !== 'worker') throw new Error('Open the store with role "worker" to run handlers (its connections commit asynchronously).');
      const worker = await startJobWorker({ pool, boss: await startedQueue(), notifications, handler, retry, concurrency, log });
      workers.add(worker);
      return worker;
    },
    async close() {
      for (const worker of workers) await worker.close();
      await appender?.idle();
      await notifier.flush();
      const started = await queue?.catch(() => undefined);
      await started?.stop({ graceful: false, close: false }).catch(() => {});
      await notifications.close();
      await whenPoolIdle(pool);
      await pool.end();
      if (appends !== pool) await appends.end();
    },
  };
}

/** Waits (briefly) for queries still out on the pool: pg-boss completes the dead-letter consumer's jobs after its callback returns. */
async function whenPoolIdle(pool: pg.Pool, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((pool.idleCount < pool.totalCount || pool.waitingCount > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
