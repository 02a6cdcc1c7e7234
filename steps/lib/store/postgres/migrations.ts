/**
 * The workbench's tables, created by versioned migrations. Each runs once, in order, recorded in
 * `workbench.schema_migration`; all of them run in one transaction that first takes an advisory
 * lock, so listeners and workers starting at the same moment apply each migration exactly once
 * (the others wait, then find nothing left to do). pg-boss creates and migrates its own schema
 * (`pgboss`) when it starts.
 *
 * @example
 * const { applied, databaseVersion } = await migrate(pool); // applied [1, 2] on a new database, [] afterwards
 */
import type pg from 'pg';
import { keepAwake, onConnection, transaction } from './connect.ts';

/** Everything of ours lives in this schema. */
export const SCHEMA = 'workbench';

/** Names the advisory lock that lets one migrator at a time into this database. */
const MIGRATION_LOCK = 'bracken-webhook-workbench:migrations';
/** Names the lock a starting process holds while it sets the database up (ours, then pg-boss's). */
const SETUP_LOCK = 'bracken-webhook-workbench:setup';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Append only: never edit a migration that has shipped, add the next one. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'deliveries: one row per answered request, with its handler state',
    sql: `
      CREATE TABLE ${SCHEMA}.delivery (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        received_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        received_by text NOT NULL,
        method text NOT NULL,
        url text NOT NULL,
        remote_address text,
        -- The raw header pairs, in order, as received: [["Host","..."],...] (json keeps them as sent).
        headers json NOT NULL,
        -- The exact body bytes.
        body bytea NOT NULL,
        body_bytes integer NOT NULL,
        status smallint NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('valid', 'invalid', 'rejected')),
        code text NOT NULL,
        reason text NOT NULL,
        scheme text NOT NULL,
        secret_index integer,
        event text,
        ack_ms real NOT NULL,
        dedupe_key text,
        -- Set on a sender's retry: the delivery it repeats.
        duplicate_of text REFERENCES ${SCHEMA}.delivery (id),
        handler text NOT NULL CHECK (handler IN ('pending', 'running', 'done', 'failed', 'dead', 'duplicate', 'not-run')),
        handler_error text,
        attempts integer NOT NULL DEFAULT 0,
        handler_updated_at timestamptz,
        -- The pg-boss job that runs its handler now (a Retry now queues a new one).
        job_id uuid
      );
      -- Dedupe forever: one first copy per key. A retry that hits it is stored as a duplicate.
      CREATE UNIQUE INDEX delivery_first_copy ON ${SCHEMA}.delivery (dedupe_key) WHERE duplicate_of IS NULL AND dedupe_key IS NOT NULL;
      CREATE INDEX delivery_newest ON ${SCHEMA}.delivery (seq DESC);
      CREATE INDEX delivery_by_handler ON ${SCHEMA}.delivery (handler, seq DESC);
    `,
  },
  {
    version: 2,
    description: "answers: the listener's answer to each request, and each forward to the user's app with its answer",
    sql: `
      -- What the listener answered ({"headers": [[name, value], ...], "body": "..."}; the status is the status column).
      -- NULL for rows stored before this migration.
      ALTER TABLE ${SCHEMA}.delivery ADD COLUMN response json;
      -- LISTEN_FORWARD_TO: how many times the handler forwarded it to the user's app, and the most
      -- recent tries (oldest first), each with the app's answer or the network error.
      ALTER TABLE ${SCHEMA}.delivery ADD COLUMN forward_attempts integer NOT NULL DEFAULT 0;
      ALTER TABLE ${SCHEMA}.delivery ADD COLUMN forward_recent jsonb NOT NULL DEFAULT '[]';
    `,
  },
];

/** The newest migration's version: what a fully migrated database reports. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export interface Migrated {
  /** The versions applied now. */
  readonly applied: number[];
  /**
   * The newest version the database has now: above SCHEMA_VERSION when a newer workbench migrated
   * it. Not refused: during a rolling upgrade the older listeners and workers keep running on it
   * (migrations only add), so only `npm run db:migrate` says so.
   */
  readonly databaseVersion: number;
}

/** Applies the migrations this database has not had yet, in one transaction (connect.ts). */
export function migrate(pool: pg.Pool): Promise<Migrated> {
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migration (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA}.schema_migration`);
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${SCHEMA}.schema_migration (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      applied.push(migration.version);
    }
    return { applied, databaseVersion: Math.max(0, ...done, ...applied) };
  });
}

/**
 * Whether this database has every migration this workbench knows (or newer ones), asked without
 * writing anything: a reader on a read-only database (a standby) needs no more.
 */
export async function hasEveryMigration(pool: pg.Pool): Promise<boolean> {
  const table = await pool.query<{ present: boolean }>(`SELECT to_regclass('${SCHEMA}.schema_migration') IS NOT NULL AS present`);
  if (table.rows[0]?.present !== true) return false;
  const { rows } = await pool.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${SCHEMA}.schema_migration`);
  return (rows[0]?.version ?? 0) >= SCHEMA_VERSION;
}

/**
 * Runs `setUp` (our migrations, then pg-boss's start and queues) while this process holds a
 * session advisory lock on a connection of its own: processes that start at the same moment set
 * the database up one after the other, and the later ones find everything there. pg-boss alone
 * is not safe against that: its creation waits on its own lock inside a transaction, then runs
 * `CREATE SCHEMA IF NOT EXISTS` with a catalog view from before the wait, and fails with a
 * duplicate key on pg_namespace (three of four listeners and workers started together did).
 */
export function settingUp<T>(pool: pg.Pool, setUp: () => Promise<T>): Promise<T> {
  // The lock's connection idles while the others set up: kept awake (idle_session_timeout), and one
  // that Postgres closes anyway (a restart) does not crash the process (onConnection).
  return onConnection(pool, async (client, broken) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [SETUP_LOCK]);
    const stopKeepingAwake = await keepAwake(client);
    try {
      return await setUp();
    } finally {
      stopKeepingAwake();
      // A lost connection took its session's lock with it.
      if (broken() === undefined) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [SETUP_LOCK]);
    }
  });
}
