/**
 * The connection to Postgres: one `pg` Pool per process, checked once at start. A wrong
 * DATABASE_URL (unknown host, nothing listening, a refused password, a missing database) becomes a
 * StoreError naming the variable and what to do, within the connect timeout (HTTP_TIMEOUT_MS), and
 * never shows the password. After start the pool reconnects by itself: a query during an outage
 * fails (the listener answers 503), and the next one after Postgres is back succeeds.
 *
 * @example
 * const pool = await connectPool({ url: config.database.url, timeoutMs: config.httpTimeoutMs, log });
 */
import pg from 'pg';
import {
  databaseTarget,
  hidePassword,
  parseDatabaseUrl,
  redactDatabaseUrl,
  STORE_AUTH_FAILED,
  STORE_DATABASE_MISSING,
  STORE_FAILED,
  STORE_UNREACHABLE,
  StoreError,
  type StoreErrorCode,
} from '../../core/index.ts';
import { type PoolErrors, poolErrors } from './pool-errors.ts';

export interface PoolOptions {
  /** DATABASE_URL. */
  readonly url: string;
  /** How long connecting may take (HTTP_TIMEOUT_MS): also the bound on a failing start. */
  readonly timeoutMs: number;
  /** Connections at most; default 10. */
  readonly max?: number;
  /** Shown in pg_stat_activity, e.g. `workbench listener`. */
  readonly applicationName?: string;
  /** Commit without waiting for the WAL flush (`synchronous_commit=off`): only for writes that can be redone. */
  readonly asynchronousCommit?: boolean;
  readonly log?: (line: string) => void;
  /** Who says that Postgres closed idle connections; share one among a process's pools, so it is said once. Default: a new one on `log`. */
  readonly errors?: PoolErrors;
}

/** Opens a pool and checks it with one query; rejects with a StoreError (and closes the pool) when it cannot. */
export async function connectPool(options: PoolOptions): Promise<pg.Pool> {
  const { url, timeoutMs, log = () => {} } = options;
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'bracken-webhook-workbench',
    // A statement stuck behind a lock must not hold a webhook's answer for ever.
    query_timeout: Math.max(timeoutMs, 5000),
    ...(options.asynchronousCommit === true ? { options: '-c synchronous_commit=off' } : {}),
  });
  // An idle connection that dies (Postgres restarted) is dropped from the pool; the next query opens a new one.
  const errors = options.errors ?? poolErrors({ url, log });
  pool.on('error', errors.dropped);
  pool.on('connect', errors.connected);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw storeErrorOf(error, url, timeoutMs);
  }
  return pool;
}

/**
 * Runs `body` on one pooled connection of its own. A connection that fails is not given back to
 * the pool; one that drops while `body` has it (Postgres stopped, or it idled past
 * idle_session_timeout) is reported by `broken()` instead of crashing the process with an
 * unhandled 'error' event.
 */
export async function onConnection<T>(pool: pg.Pool, body: (client: pg.PoolClient, broken: () => Error | undefined) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await body(client, () => broken);
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `body` in one transaction on one pooled connection (onConnection): one that drops between two statements fails the transaction. */
export function transaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return onConnection(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/**
 * Keeps `client` from idling past an idle_session_timeout set on the database or role (Postgres
 * 14+), which would close it: a connection that holds a session lock or LISTENs is idle by design.
 * It asks for the setting and, if there is one, runs `SELECT 1` twice per timeout. Returns the
 * function that stops it. (Setting idle_session_timeout=0 on the connection instead would make
 * connecting fail on Postgres 13 and older, which do not know the setting: they return no row here.)
 */
export async function keepAwake(client: pg.ClientBase): Promise<() => void> {
  const { rows } = await client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'idle_session_timeout'");
  const idleMs = Number(rows[0]?.setting ?? 0);
  if (!(idleMs > 0)) return () => {};
  // A failed query means the connection failed: its owner hears that from the 'error' event.
  const timer = setInterval(() => void client.query('SELECT 1').catch(() => {}), Math.max(10, idleMs / 2));
  timer.unref();
  return () => clearInterval(timer);
}

/** What a failed connection, or a set-up Postgres refused (the migrations, pg-boss's schema), means for the person who set DATABASE_URL. */
export function storeErrorOf(error: unknown, url: string, timeoutMs: number): StoreError {
  const shown = redactDatabaseUrl(url);
  const target = databaseTarget(url);
  const { code, message = String(error) } = error as { code?: string; message?: string };
  const said = hidePassword(message, url);
  const make = (errorCode: StoreErrorCode, text: string, hint: string) => new StoreError(errorCode, text, { hint, cause: error });
  switch (code) {
    case 'ECONNREFUSED':
      return make(STORE_UNREACHABLE, `Nothing accepts connections at ${target} (DATABASE_URL=${shown}): connection refused.`, startHint);
    case 'ENOENT':
      // A Unix socket host (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) with no socket file: no Postgres there.
      return make(
        STORE_UNREACHABLE,
        `Nothing accepts connections at ${target} (DATABASE_URL=${shown}): there is no Postgres socket in that folder.`,
        startHint,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(STORE_UNREACHABLE, `The host in DATABASE_URL=${shown} does not resolve (${code}).`, 'Check the host name in DATABASE_URL.');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return make(STORE_UNREACHABLE, `${target} cannot be reached (DATABASE_URL=${shown}): ${code}.`, startHint);
    case '28P01':
    case '28000':
      return make(
        STORE_AUTH_FAILED,
        `Postgres at ${target} refused the login in DATABASE_URL=${shown}: ${said}.`,
        'Check the user and password in DATABASE_URL (e.g. `ALTER ROLE <user> PASSWORD ...` in psql), and that pg_hba.conf allows this host.',
      );
    case '42501':
      // insufficient_privilege: a user that may connect but not create the workbench's schemas (a managed database's app user).
      return make(
        STORE_FAILED,
        `The user in DATABASE_URL=${shown} may not set up the workbench's tables in that database: ${said}.`,
        `Let it, as the database's owner in psql: GRANT CREATE ON DATABASE ${databaseName(url)} TO ${userName(url)}; or point DATABASE_URL at a database it owns.`,
      );
    case '42P01':
      // undefined_table, after start: our migrations created every table, so someone removed them.
      return make(
        STORE_FAILED,
        `The workbench's tables are missing from the database in DATABASE_URL=${shown}: ${said} (was the database dropped and created again?).`,
        'Run `npm run db:migrate` to create them again: running listeners and workers carry on once they exist.',
      );
    case '25006':
      // read_only_sql_transaction: a standby, or default_transaction_read_only on the database or role.
      return make(
        STORE_FAILED,
        `Postgres at ${target} accepts no writes to the database in DATABASE_URL=${shown}: ${said}.`,
        `If it is a standby, point DATABASE_URL at the primary. If the database or user is read-only by default, in psql: ${resetReadOnly(url)}`,
      );
    case '57014':
    case '55P03': {
      // query_canceled, lock_not_available: Postgres answered, so not an outage (their words say "timeout", which the default below takes for one).
      const setting = /lock timeout/i.test(message) ? 'lock_timeout' : /statement timeout/i.test(message) ? 'statement_timeout' : undefined;
      return make(
        STORE_FAILED,
        `Postgres at ${target} cancelled one of the workbench's statements (DATABASE_URL=${shown}): ${said}.`,
        setting === undefined
          ? 'Someone cancelled it (pg_cancel_backend): start again.'
          : `${setting}, set on the database or user in DATABASE_URL, is too short for the workbench (it bounds its own statements by HTTP_TIMEOUT_MS): ` +
              `in psql, ALTER DATABASE ${databaseName(url)} RESET ${setting}; or ALTER ROLE ${userName(url)} RESET ${setting}; whichever has it.`,
      );
    }
    case '3D000':
      return make(
        STORE_DATABASE_MISSING,
        `The database in DATABASE_URL=${shown} does not exist: ${said}.`,
        `Create it (e.g. \`createdb -O <user> ${databaseName(url)}\`), or fix its name at the end of DATABASE_URL.`,
      );
    default:
      // pg's words when DATABASE_URL asks for TLS (sslmode, ssl) and the server answers that it has none.
      if (/does not support SSL/i.test(message)) {
        return make(
          STORE_FAILED,
          `Postgres at ${target} does not accept TLS, which DATABASE_URL=${shown} asks for: ${said}.`,
          'Turn TLS on in the server (ssl = on in postgresql.conf, with a certificate), or, if it is on this machine or a trusted network, remove sslmode (or ssl) from DATABASE_URL.',
        );
      }
      // Then: pg words a connection it gave up on after the timeout "Connection terminated due to connection timeout".
      if (/timeout|timed out/i.test(message)) {
        return make(STORE_UNREACHABLE, `Postgres at ${target} did not answer within ${timeoutMs} ms (DATABASE_URL=${shown}, HTTP_TIMEOUT_MS).`, startHint);
      }
      if (code === 'ECONNRESET' || code === 'EPIPE' || /Connection terminated/i.test(message)) {
        return make(
          STORE_UNREACHABLE,
          `Something at ${target} accepted the connection but closed it without answering as Postgres does (DATABASE_URL=${shown}).`,
          "Check that the host and port in DATABASE_URL are Postgres's (usually port 5432), and that no proxy or firewall in between drops the connection.",
        );
      }
      return make(
        STORE_FAILED,
        `Postgres at ${target} (DATABASE_URL=${shown}) failed: ${said}${code === undefined ? '' : ` [${code}]`}.`,
        'Check DATABASE_URL, and that its user may create tables in that database.',
      );
  }
}

/**
 * For a reader (step 5, `npm run inspector`) on a read-only database that was never set up: it
 * cannot create the tables, and needs nothing else, so the fix is to set them up where writes go.
 */
export function notSetUpForReadingError(url: string, cause: unknown): StoreError {
  return new StoreError(
    STORE_FAILED,
    `The workbench's tables are not in the database in DATABASE_URL=${redactDatabaseUrl(url)}, and it accepts no writes, so this reader cannot create them.`,
    {
      hint: `Run \`npm run db:migrate\` with DATABASE_URL pointing at the primary (or a user that may write), then start this again; or, in psql: ${resetReadOnly(url)}`,
      cause,
    },
  );
}

/** The psql lines that undo default_transaction_read_only on the database or the user in `url`. */
function resetReadOnly(url: string): string {
  return `ALTER DATABASE ${databaseName(url)} RESET default_transaction_read_only; or ALTER ROLE ${userName(url)} RESET default_transaction_read_only; whichever has it.`;
}

const startHint = 'Start Postgres (e.g. `pg_ctlcluster 15 main start`), or fix the host and port in DATABASE_URL.';

function databaseName(url: string): string {
  return urlPart(url, (u) => u.pathname.slice(1)) || '<database>';
}

/** The user name in the URL, for a hint ('<user>' when it has none: libpq then uses the OS user's name). */
function userName(url: string): string {
  return urlPart(url, (u) => u.username) || '<user>';
}

/** One part of the URL, decoded; '' when the URL does not parse. */
function urlPart(url: string, pick: (parsed: URL) => string): string {
  const parsed = parseDatabaseUrl(url);
  return parsed === undefined ? '' : decodeURIComponent(pick(parsed));
}
