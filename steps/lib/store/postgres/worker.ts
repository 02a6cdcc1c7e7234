/**
 * `npm run worker`'s engine: takes jobs from pg-boss and runs the handler with the delivery, as
 * the listener's in-process worker does with the file journal. It runs up to WORKER_CONCURRENCY
 * handlers at once: it fetches as many jobs as it has free slots, in one batch, and a slot is free
 * again as soon as its handler is done, so one slow handler holds one slot, not the others (pg-boss's
 * own `work()` would fetch nothing more until the whole batch had finished). It fetches when a slot
 * frees up, as soon as a listener commits a new delivery (NOTIFY), and at once again while batches
 * come back full, so it keeps up with the listeners instead of pg-boss's default of one poll every
 * two seconds.
 *
 * Each run: the row says `running` (and counts the attempt); a success completes the job and the
 * row says `done`; a failure (a throw, or HANDLER_TIMEOUT_MS passed) fails the job, which pg-boss
 * retries after a doubling delay, and the row says `failed`, or `dead` after the last try, when
 * pg-boss moves the job to the dead-letter queue. A worker killed mid-run leaves its job active;
 * pg-boss's maintenance takes it back once it expires (HANDLER_TIMEOUT_MS + 2 s) and it runs
 * again. If that was the last try, the dead-letter queue's consumer here marks the row `dead`.
 *
 * Every write here can be redone (at worst a handler runs again), so the worker's connections
 * commit asynchronously (no WAL flush per batch). Every update is guarded by the job id the row
 * holds, so a job replaced by Retry now cannot overwrite the new job's state. A batch costs four
 * statements whatever its size: pg-boss's fetch, the claim, the outcomes, pg-boss's completion
 * (plus one per failed run); each row change is announced in the statement that makes it.
 */
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { type DeliveryHandler, deliveryFor, FORWARD_LOG_KEEP, type RetryPolicy, type RunOutcome, runHandler } from '../../delivery/index.ts';
import { type Notifications, NOTIFY_MANY, notifySql } from './notifications.ts';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, type JobData } from './queue.ts';
import { DELIVERY_TABLE, type DeliveryRow, forwardJson, textSafe, VIEW_COLUMNS, viewOf } from './rows.ts';

/** How often an idle worker looks for due retries (pg-boss's minimum); new deliveries wake it at once. */
const POLL_SECONDS = 0.5;
/** Dead-letter jobs are few: one poll a second. */
const DEAD_LETTER_POLL_SECONDS = 1;

/**
 * Claims a batch's rows (`running`, one more attempt) and announces it, in one statement. A row
 * whose job was replaced (Retry now) or that is already finished does not come back; its job is
 * simply completed.
 */
const CLAIM = `WITH claimed AS (
    UPDATE ${DELIVERY_TABLE} AS d SET handler = 'running', attempts = d.attempts + 1, handler_updated_at = now()
    FROM unnest($1::text[], $2::uuid[]) AS j(id, job_id)
    WHERE d.id = j.id AND d.job_id = j.job_id AND d.handler IN ('pending', 'running', 'failed')
    RETURNING ${VIEW_COLUMNS.split(', ')
      .map((column) => `d.${column}`)
      .join(', ')}, d.job_id)
  SELECT claimed.*, ${notifySql('claimed.id', "'running'")} AS announced FROM claimed`;

/**
 * Each run's outcome on its row (guarded by the job id: a replaced job cannot overwrite its
 * successor), with the run's forward try (LISTEN_FORWARD_TO) counted and added to the row's most
 * recent FORWARD_LOG_KEEP, announced in the same statement.
 */
const RECORD = `WITH recorded AS (
    UPDATE ${DELIVERY_TABLE} AS d SET handler = o.state, handler_error = o.error, handler_updated_at = now(),
      forward_attempts = d.forward_attempts + (o.forward IS NOT NULL)::integer,
      forward_recent = CASE WHEN o.forward IS NULL THEN d.forward_recent
        ELSE (CASE WHEN jsonb_array_length(d.forward_recent) >= ${FORWARD_LOG_KEEP} THEN d.forward_recent - 0 ELSE d.forward_recent END)
          || jsonb_build_array(o.forward) END
    FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[]) AS o(id, job_id, state, error, forward)
    WHERE d.id = o.id AND d.job_id = o.job_id
    RETURNING d.id, d.handler)
  SELECT ${notifySql('recorded.id', 'recorded.handler')} FROM recorded`;

export interface RunningWorker {
  /** Handlers running now. */
  readonly running: number;
  /** Stops fetching, lets the running handlers finish (each bounded by HANDLER_TIMEOUT_MS, which aborts its `delivery.signal`), then resolves. */
  close(): Promise<void>;
}

export interface JobWorkerOptions {
  readonly pool: pg.Pool;
  readonly boss: PgBoss;
  readonly notifications: Notifications;
  readonly handler: DeliveryHandler;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly log: (line: string) => void;
}

type Job = PgBoss.JobWithMetadata<JobData>;

interface Ran {
  readonly job: Job;
  readonly outcome: RunOutcome;
  /** True when this was the job's last try. */
  readonly last: boolean;
}

export async function startJobWorker(options: JobWorkerOptions): Promise<RunningWorker> {
  const { pool, boss, notifications, handler, retry, concurrency, log } = options;
  /** Handlers running now. */
  let running = 0;
  /** Slots taken: jobs fetched whose handler has not finished (or that turned out stale). */
  let taken = 0;
  let stopping = false;
  const batches = new Set<Promise<void>>();
  const wake = createWake();
  const freeSlots = (n: number) => {
    taken -= n;
    wake.nudge();
  };

  const runBatch = async (jobs: Job[]): Promise<void> => {
    // Claim the rows: `running`, one more attempt; a row whose job was replaced (Retry now) or that
    // is already finished comes back empty and its job is simply completed.
    const { rows } = await pool
      .query<DeliveryRow & { job_id: string }>(CLAIM, [jobs.map((job) => job.data.deliveryId), jobs.map((job) => job.data.jobId)])
      .catch((error: unknown) => {
        freeSlots(jobs.length);
        throw error;
      });
    const byJob = new Map(rows.map((row) => [row.job_id, row]));
    running += rows.length;
    freeSlots(jobs.length - rows.length);
    const ran = await Promise.all(
      jobs.map(async (job): Promise<Ran | undefined> => {
        const row = byJob.get(job.data.jobId);
        if (row === undefined) return undefined;
        try {
          const view = viewOf(row);
          const outcome = await runHandler(handler, deliveryFor(view, row.attempts > 1), retry);
          if (!outcome.ok) log(`handler failed for ${view.id}${view.event === undefined ? '' : ` (${view.event})`}: ${outcome.error}; ${whatNext(job)}`);
          return { job, outcome, last: job.retryCount >= job.retryLimit };
        } finally {
          // Its slot is free as soon as its handler is: a slow one never holds back the others' slots.
          running -= 1;
          freeSlots(1);
        }
      }),
    );
    await recordOutcomes(
      pool,
      boss,
      ran.filter((r) => r !== undefined),
    );
    // The successes and the stale jobs; the failed ones were failed in recordOutcomes and are no longer active.
    await boss.complete(
      DELIVERY_QUEUE,
      jobs.map((job) => job.id),
    );
  };

  const start = (jobs: Job[]): void => {
    taken += jobs.length;
    const batch = runBatch(jobs).catch(async (error: unknown) => {
      // Failed, each runs again after its retry delay (at least once); if even that cannot reach
      // Postgres, they stay active until they expire (HANDLER_TIMEOUT_MS) and run again then.
      log(`worker: could not record a batch of ${jobs.length} (${(error as Error).message}); its deliveries run again.`);
      await boss
        .fail(
          DELIVERY_QUEUE,
          jobs.map((job) => job.id),
        )
        .catch(() => {});
    });
    batches.add(batch);
    void batch.finally(() => batches.delete(batch));
  };

  // Fetches as many jobs as there are free slots, whenever a slot frees up, a listener commits
  // (NOTIFY), or POLL_SECONDS pass (due retries); again at once while batches come back full.
  const fetching = (async () => {
    while (!stopping) {
      wake.reset();
      const free = concurrency - taken;
      if (free > 0) {
        const jobs = await boss.fetch<JobData>(DELIVERY_QUEUE, { batchSize: free, includeMetadata: true }).catch(() => []);
        if (jobs.length > 0) start(jobs);
        if (jobs.length === free) continue;
      }
      await wake.after(POLL_SECONDS * 1000);
    }
  })();

  const deadLetterId = await boss.work<JobData>(
    DEAD_LETTER_QUEUE,
    { batchSize: 50, pollingIntervalSeconds: DEAD_LETTER_POLL_SECONDS, includeMetadata: true },
    (jobs) => markDead(pool, jobs),
  );
  // A listener committed a new delivery: fetch now.
  const unsubscribe = notifications.subscribe(({ state }) => {
    if (state === 'pending') wake.nudge();
  });

  return {
    get running() {
      return running;
    },
    async close() {
      if (stopping) return;
      stopping = true;
      unsubscribe();
      wake.nudge();
      // A fetch in flight finishes and its batch starts, so it is among those waited for below.
      await fetching;
      await boss.offWork({ id: deadLetterId });
      // Running handlers finish (each is bounded by HANDLER_TIMEOUT_MS) and their outcomes are recorded.
      await Promise.allSettled([...batches]);
    },
  };
}

/** A wait that a nudge ends early; a nudge while not waiting makes the next wait end at once. */
function createWake(): { nudge(): void; reset(): void; after(ms: number): Promise<void> } {
  let nudged = false;
  let end: (() => void) | undefined;
  return {
    nudge() {
      nudged = true;
      end?.();
    },
    reset() {
      nudged = false;
    },
    after(ms) {
      if (nudged) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => end?.(), ms);
        end = () => {
          clearTimeout(timer);
          end = undefined;
          resolve();
        };
      });
    },
  };
}

/**
 * The rows of a batch say what their runs did, announced in the same statement; failed jobs are
 * failed (pg-boss schedules their retry, or moves the last try to the dead-letter queue). The
 * successes are completed after this, with the batch. A crash in between
 * leaves a job active with its row already `done`: it expires, comes back, finds the row
 * finished, and is completed without running again.
 */
async function recordOutcomes(pool: pg.Pool, boss: PgBoss, ran: Ran[]): Promise<void> {
  if (ran.length === 0) return;
  const states = ran.map((r) => (r.outcome.ok ? 'done' : r.last ? 'dead' : 'failed'));
  const errors = ran.map((r) => (r.outcome.ok ? null : textSafe(r.outcome.error)));
  const forwards = ran.map((r) => (r.outcome.report?.forward === undefined ? null : forwardJson(r.outcome.report.forward)));
  await pool.query(RECORD, [ran.map((r) => r.job.data.deliveryId), ran.map((r) => r.job.data.jobId), states, errors, forwards]);
  for (const { job, outcome } of ran) if (!outcome.ok) await boss.fail(DELIVERY_QUEUE, job.id, { message: outcome.error });
}

/**
 * Jobs pg-boss moved to the dead-letter queue: their rows say `dead`. The worker that ran the last
 * try already did; this catches a last try that never reported (its worker was killed, and the job
 * expired).
 */
async function markDead(pool: pg.Pool, jobs: Job[]): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `UPDATE ${DELIVERY_TABLE} AS d SET handler = 'dead', handler_updated_at = now(),
       handler_error = COALESCE(d.handler_error, 'its last try did not finish (the worker stopped, or HANDLER_TIMEOUT_MS passed)')
     FROM unnest($1::text[], $2::uuid[]) AS j(id, job_id)
     WHERE d.id = j.id AND d.job_id = j.job_id AND d.handler NOT IN ('done', 'dead')
     RETURNING d.id`,
    [jobs.map((job) => job.data.deliveryId), jobs.map((job) => job.data.jobId)],
  );
  if (rows.length > 0) await pool.query(NOTIFY_MANY, [rows.map((row) => row.id), 'dead']);
}

/** The end of the log line for a failed run. */
function whatNext(job: Job): string {
  if (job.retryCount >= job.retryLimit)
    return `that was its last try (HANDLER_RETRY_LIMIT=${job.retryLimit}), so it is dead: Retry now in the inspector runs it again.`;
  return `try ${job.retryCount + 2} of ${job.retryLimit + 1} follows after a delay.`;
}
