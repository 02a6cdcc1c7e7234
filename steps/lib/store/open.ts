/**
 * Which engine a command gets: Postgres when DATABASE_URL is set, otherwise the file journal in
 * the state folder. One place decides, so step 3, step 5, `npm run worker`, `npm run inspector`
 * and `npm run db:migrate` always agree.
 *
 * @example
 * const store = await openStore(config, { role: 'listener', log }); // file or Postgres
 * const { deliveries } = await readDeliveries(config);             // step 5: no listener needed
 */
import { type Config, CONFIG_MISSING, ConfigError, redactDatabaseUrl } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';
import { journalDir, openJournal, readJournal } from '../journal/index.ts';
import { fileStore } from './file/file-store.ts';
import type { PostgresStore, StoreRole } from './postgres/postgres-store.ts';
import type { DeliveryStore } from './store.ts';

export interface OpenOptions {
  readonly role: StoreRole;
  readonly log?: (line: string) => void;
  /**
   * For the error without DATABASE_URL: the command that was run (`npm run inspector`) and what to
   * use instead with the file journal; by default "this command" and step 3 alone.
   */
  readonly withoutDatabase?: { readonly command: string; readonly instead: string };
}

/** The configured store: Postgres with DATABASE_URL, else the journal (which a listener locks). */
export async function openStore(config: Config, options: OpenOptions): Promise<DeliveryStore> {
  if (config.database.url !== undefined) return openDatabase(config, options);
  const journal = await openJournal({ dir: journalDir(config.stateDir), ...config.journal, ...(options.log === undefined ? {} : { log: options.log }) });
  return fileStore(journal);
}

/** The Postgres store; a ConfigError when DATABASE_URL is not set (the worker and the standalone inspector need it). */
export async function openDatabase(config: Config, options: OpenOptions): Promise<PostgresStore> {
  const { command = options.role === 'worker' ? '`npm run worker`' : 'this command', instead } = options.withoutDatabase ?? {};
  const url = requireDatabaseUrl(config, command, instead);
  // pg and pg-boss are loaded here, not with this module: a run on the file journal never needs them.
  const { openPostgresStore } = await import('./postgres/postgres-store.ts');
  return openPostgresStore({
    url,
    timeoutMs: config.httpTimeoutMs,
    retry: config.handlers,
    role: options.role,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
}

export interface StoredDeliveries {
  /** Oldest first. */
  readonly deliveries: readonly DeliveryView[];
  readonly warnings: readonly string[];
  /** Where they were read: `journal: <folder>` or `store: <DATABASE_URL, password hidden>`. */
  readonly location: string;
}

/** The newest deliveries read from Postgres for step 5. */
const RECENT_LIMIT = 200;
/**
 * ...and no more once their bodies pass this: about what the journal keeps by default
 * (JOURNAL_MAX_BYTES 16mb x JOURNAL_KEEP_FILES 4). 200 bodies of up to LISTEN_BODY_LIMIT (64mb at
 * most) could be gigabytes, and reading 12 of 66 MiB already passed the statement timeout.
 */
const RECENT_BODY_BYTES = 64 * 1024 * 1024;

/** What step 5 reads: the whole journal (safe while a listener writes it), or Postgres's most recent deliveries (RECENT_LIMIT, RECENT_BODY_BYTES). */
export async function readDeliveries(config: Config, options: { bodyBytes?: number } = {}): Promise<StoredDeliveries> {
  if (config.database.url === undefined) {
    const dir = journalDir(config.stateDir);
    const { deliveries, warnings } = await readJournal(dir);
    return { deliveries, warnings, location: `journal: ${dir}` };
  }
  const store = await openDatabase(config, { role: 'reader' });
  try {
    const deliveries = await store.recent({ limit: RECENT_LIMIT, bodyBytes: options.bodyBytes ?? RECENT_BODY_BYTES });
    return { deliveries: deliveries.reverse(), warnings: [], location: `store: ${store.location}` };
  } finally {
    await store.close();
  }
}

export interface MigratedDatabase {
  /** The versions applied now. */
  readonly applied: number[];
  /** The database's schema version now, and the newest this workbench knows: the first is higher when a newer workbench migrated it. */
  readonly databaseVersion: number;
  readonly knownVersion: number;
  /** DATABASE_URL, password hidden. */
  readonly location: string;
}

/** `npm run db:migrate`: the workbench's migrations and pg-boss's schema, nothing else. */
export async function migrateDatabase(config: Config, log: (line: string) => void): Promise<MigratedDatabase> {
  const url = requireDatabaseUrl(config, '`npm run db:migrate`');
  const [{ connectPool }, { setUpDatabase }, { SCHEMA_VERSION }] = await Promise.all([
    import('./postgres/connect.ts'),
    import('./postgres/set-up.ts'),
    import('./postgres/migrations.ts'),
  ]);
  const pool = await connectPool({ url, timeoutMs: config.httpTimeoutMs, log, applicationName: 'bracken-webhook-workbench migrate' });
  try {
    const { applied, databaseVersion, boss } = await setUpDatabase(pool, {
      url,
      timeoutMs: config.httpTimeoutMs,
      retry: config.handlers,
      supervise: false,
      log,
    });
    // Started only to create pg-boss's schema and queues: stop it before the pool goes.
    await boss.stop({ graceful: false, close: false });
    return { applied, databaseVersion, knownVersion: SCHEMA_VERSION, location: redactDatabaseUrl(url) };
  } finally {
    await pool.end();
  }
}

function requireDatabaseUrl(config: Config, what: string, instead?: string): string {
  if (config.database.url !== undefined) return config.database.url;
  const set = 'Set DATABASE_URL=postgres://user:password@host:5432/database in .env (see .env.example)';
  throw new ConfigError(CONFIG_MISSING, `DATABASE_URL is not set; ${what} needs Postgres.`, {
    hint: instead === undefined ? `${set}, or leave it out and use step 3 alone.` : `${set}; or, ${instead}`,
  });
}
