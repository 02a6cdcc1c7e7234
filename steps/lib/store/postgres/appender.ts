/**
 * How a listener stores deliveries in Postgres: group commit. Every `append` waits in a queue; when
 * the previous transaction is done, the next takes everything waiting, up to APPEND_BATCH, into
 * ONE transaction: one INSERT of all the rows, one pg-boss `insert` of all their jobs (through
 * its `db` option, so rows and jobs commit together or not at all), one COMMIT. Nothing resolves before that COMMIT has returned (synchronous_commit: the WAL is
 * flushed), so "stored before the 2xx" still means on disk. At a trickle a batch is one delivery
 * and nothing waits; under load the batches grow and the per-transaction costs are shared.
 *
 * Why: pg-boss's job INSERT is a heavy statement (it joins the queue's policy and routes into a
 * partitioned table), and one per delivery capped a listener at about a fifth of what Postgres
 * commits here (210-255/s against 620-1580/s for plain INSERTs at 50 concurrent); one per batch
 * costs about as much for 50 jobs as for 1. The statements are named, so each connection parses
 * and plans them once.
 *
 * Dedupe is unchanged: a first copy claims its key through the UNIQUE index (ON CONFLICT DO
 * NOTHING); a row that finds its key claimed, by another listener or earlier in the same batch,
 * is stored as a duplicate of the first copy in the same transaction. Rows go in sorted by key,
 * so two batches holding the same two keys lock them in the same order and never deadlock.
 * A batch Postgres refuses for one row's sake (a constraint, an encoding) is retried row by row,
 * so one bad record never turns the others into 503s; a lost connection fails the whole batch
 * (each of its requests is answered 503 store_unavailable, and its sender retries).
 *
 * @example
 * const appender = createAppender({ pool, boss, receivedBy: 'host pid 42' });
 * const view = await appender.append(record, 'pending'); // committed, with its job
 */
import { createHash, randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import type { DeliveryRecord, DeliveryView } from '../../delivery/index.ts';
import { asDuplicate } from '../store.ts';
import { transaction } from './connect.ts';
import { DELIVERY_QUEUE, type JobData } from './queue.ts';
import { DELIVERY_TABLE, INSERT_COLUMNS, INSERT_TYPES, insertValues } from './rows.ts';

/**
 * Transactions one listener has in flight at once. One, as the journal has one fdatasync: while it
 * commits, the next batch gathers. Measured at 50 concurrent requests on 2 cores: 2000-2250/s with
 * one, 1430-1975/s with two, ~1500/s with four, 1150-1250/s with eight (smaller batches cost more
 * CPU per delivery, and the CPU is what runs out).
 */
const APPEND_TRANSACTIONS = 1;
/** Deliveries per transaction at most. */
const APPEND_BATCH = 100;
/**
 * Body bytes per transaction at most (a larger body goes alone). The rows of a batch travel as one
 * array per column, and pg writes a bytea array as hex text, two characters a byte, in one string:
 * past ~256 MiB of bodies that string is longer than V8 allows ("Invalid string length"), and the
 * whole batch was refused, every time its senders retried. 16 MiB keeps group commit for ordinary
 * bodies (100 of 160 KiB) and far from that limit.
 */
const APPEND_BATCH_BYTES = 16 * 1024 * 1024;

/** All rows of a batch in one statement: one array parameter per column. */
const INSERT_ROWS = `INSERT INTO ${DELIVERY_TABLE} (${INSERT_COLUMNS})
  SELECT * FROM unnest(${INSERT_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`;
/**
 * A batch of one row, its values as plain parameters: pg sends the body as binary rather than as
 * an array's hex text, which Postgres parses about three times faster (a 48 MiB body: 4 s against
 * 11-12 s here), so a large body commits within the statement timeout.
 */
const INSERT_ONE = `INSERT INTO ${DELIVERY_TABLE} (${INSERT_COLUMNS}) VALUES (${INSERT_TYPES.map((type, i) => `$${i + 1}::${type}`).join(', ')})`;
/** First copies claim their key; a row whose key is taken is left out (and stored as a duplicate next). */
const CLAIMING = 'ON CONFLICT (dedupe_key) WHERE duplicate_of IS NULL AND dedupe_key IS NOT NULL DO NOTHING RETURNING id';
const FIRST_COPIES = `SELECT dedupe_key, id FROM ${DELIVERY_TABLE} WHERE dedupe_key = ANY($1::text[]) AND duplicate_of IS NULL`;

export interface AppenderOptions {
  readonly pool: pg.Pool;
  readonly boss: PgBoss;
  /** Written into every row: which listener stored it. */
  readonly receivedBy: string;
}

export interface Appender {
  /** Resolves once the record (and, for a new `pending` one, its job) is committed; rejects if it is not. */
  append(record: DeliveryRecord, handler: 'pending' | 'not-run'): Promise<DeliveryView>;
  /** Resolves when nothing is waiting or being written. */
  idle(): Promise<void>;
}

interface Waiting {
  readonly record: DeliveryRecord;
  readonly handler: 'pending' | 'not-run';
  readonly resolve: (view: DeliveryView) => void;
  readonly reject: (error: unknown) => void;
}

export function createAppender(options: AppenderOptions): Appender {
  const { pool, boss, receivedBy } = options;
  const waiting: Waiting[] = [];
  let writing = 0;
  const onIdle: (() => void)[] = [];

  const write = async (batch: Waiting[]): Promise<void> => {
    let views: DeliveryView[];
    try {
      views = await transaction(pool, (client) => storeBatch(client, boss, receivedBy, batch));
    } catch (error) {
      // A server error that names a row (SQLSTATE class 22: data, 23: constraint) is that row's:
      // the others are stored one by one. A lost connection (no SQLSTATE) fails them all.
      if (batch.length > 1 && isRowError(error)) {
        for (const entry of batch) await write([entry]);
      } else {
        for (const entry of batch) entry.reject(error);
      }
      return;
    }
    for (const [i, entry] of batch.entries()) entry.resolve(views[i] as DeliveryView);
  };

  const next = (): void => {
    while (writing < APPEND_TRANSACTIONS && waiting.length > 0) {
      const batch = takeBatch(waiting);
      writing += 1;
      void write(batch).finally(() => {
        writing -= 1;
        next();
        if (writing === 0 && waiting.length === 0) for (const resolve of onIdle.splice(0)) resolve();
      });
    }
  };

  return {
    append(record, handler) {
      return new Promise((resolve, reject) => {
        waiting.push({ record, handler, resolve, reject });
        next();
      });
    },
    idle() {
      if (writing === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => onIdle.push(resolve));
    },
  };
}

/** One batch, inside its transaction; returns the stored views in the batch's order. */
async function storeBatch(client: pg.PoolClient, boss: PgBoss, receivedBy: string, batch: readonly Waiting[]): Promise<DeliveryView[]> {
  // Sorted by key: every batch takes the UNIQUE index's locks in the same order.
  const order = batch.map((_, i) => i).sort((a, b) => compareKeys(batch[a]?.record.dedupeKey, batch[b]?.record.dedupeKey));
  const jobIds = batch.map((entry) => (entry.handler === 'pending' && entry.record.dedupeKey !== undefined ? randomUUID() : undefined));
  const rows = order.map((i) => {
    const { record, handler } = batch[i] as Waiting;
    const jobId = jobIds[i];
    return insertValues(record, { receivedBy, handler, ...(jobId === undefined ? {} : { jobId }) });
  });
  const inserted = await client.query<{ id: string }>(inserting(rows, CLAIMING));
  const stored = new Set(inserted.rows.map((row) => row.id));

  // Rows left out found their key already claimed: each is a duplicate of its key's first copy.
  const views: DeliveryView[] = batch.map(({ record, handler }) => ({ ...record, handler, handlerError: undefined, attempts: 0, receivedBy }));
  const repeats = batch.map((_, i) => i).filter((i) => !stored.has(batch[i]?.record.id ?? ''));
  if (repeats.length > 0) {
    const keys = repeats.map((i) => batch[i]?.record.dedupeKey ?? '');
    const { rows: firsts } = await client.query<{ dedupe_key: string; id: string }>(named(FIRST_COPIES, [keys]));
    const firstOf = new Map(firsts.map((row) => [row.dedupe_key, row.id]));
    const duplicates = repeats.map((i) => {
      const { record, handler } = batch[i] as Waiting;
      const firstId = record.dedupeKey === undefined ? undefined : firstOf.get(record.dedupeKey);
      if (record.dedupeKey === undefined || firstId === undefined) throw new Error(`dedupe key ${record.dedupeKey} is claimed, but by no stored delivery`);
      const duplicate = asDuplicate(record, firstId, handler);
      // A pending copy becomes a duplicate (its handler never runs again); a not-run one stays not-run.
      const state = handler === 'pending' ? 'duplicate' : 'not-run';
      views[i] = { ...(views[i] as DeliveryView), ...duplicate, handler: state };
      jobIds[i] = undefined;
      return insertValues(duplicate, { receivedBy, handler: state, duplicateOf: firstId });
    });
    await client.query(inserting(duplicates));
  }

  // The new first copies' jobs, in the same transaction: pg-boss's insert is `send` for many jobs.
  const jobs: PgBoss.JobInsert<JobData>[] = [];
  batch.forEach(({ record }, i) => {
    const jobId = jobIds[i];
    if (jobId !== undefined) jobs.push({ name: DELIVERY_QUEUE, id: jobId, data: { deliveryId: record.id, jobId } });
  });
  if (jobs.length > 0) await boss.insert(jobs, { db: preparedOn(client) });
  return views;
}

/** The first of `waiting` that go in one transaction: up to APPEND_BATCH deliveries and APPEND_BATCH_BYTES of bodies (at least one). */
function takeBatch(waiting: Waiting[]): Waiting[] {
  let count = 0;
  let bytes = 0;
  for (const { record } of waiting) {
    if (count === APPEND_BATCH || (count > 0 && bytes + record.body.length > APPEND_BATCH_BYTES)) break;
    count += 1;
    bytes += record.body.length;
  }
  return waiting.splice(0, count);
}

/** The INSERT of `rows` (with `tail`, e.g. CLAIMING): one row as plain parameters, several as one array per column. */
function inserting(rows: readonly unknown[][], tail = ''): pg.QueryConfig {
  const [only] = rows;
  if (rows.length === 1 && only !== undefined) return named(`${INSERT_ONE} ${tail}`, only);
  return named(`${INSERT_ROWS} ${tail}`, columnsOf(rows));
}

/** Rows → one array per column, the shape `unnest` takes. */
function columnsOf(rows: readonly unknown[][]): unknown[][] {
  return INSERT_TYPES.map((_, column) => rows.map((row) => row[column]));
}

/** A named statement: each connection parses and plans it once, then only binds and runs it. */
function named(text: string, values: unknown[]): pg.QueryConfig {
  return { name: statementName(text), text, values };
}

/** pg-boss's `db` option on `client`, its statements named as ours are. */
function preparedOn(client: pg.ClientBase): PgBoss.Db {
  return { executeSql: (text, values) => client.query(named(text, values)) };
}

const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `workbench_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

function compareKeys(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** A server error about the data of some row (not the connection, not the server's state). */
function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
