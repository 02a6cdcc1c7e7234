/**
 * A connection that was open and then closed under a running process: Postgres restarted, crashed
 * or was stopped, or an administrator ended the session. At start the same words mean something
 * else (connect.ts's storeErrorOf: what answered is not Postgres), so what a running process says
 * of it is here: the queue's errors (queue-errors.ts), the listener's appends (a delivery not stored)
 * and the live updates' connection (notifications.ts).
 *
 * @example
 * isConnectionLost(error) // true for ECONNRESET, 57P01 admin_shutdown, "Connection terminated unexpectedly"
 * appendErrorOf(error, url, 10_000) // StoreError STORE_UNREACHABLE "Postgres at … closed the connection while storing a delivery …"
 */
import { databaseTarget, hidePassword, redactDatabaseUrl, STORE_UNREACHABLE, StoreError } from '../../core/index.ts';
import { storeErrorOf } from './connect.ts';

/** ECONNRESET, EPIPE, and 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now. */
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03']);

/**
 * True when `error` says an open connection closed. pg's own words for a socket that closed, not
 * "Connection terminated due to connection timeout", which is Postgres not answering (a hang).
 */
export function isConnectionLost(error: unknown): boolean {
  const { code, message = '' } = error as { code?: string; message?: string };
  return (code !== undefined && CONNECTION_LOST_CODES.has(code)) || /^Connection terminated( unexpectedly)?$/.test(message);
}

/** A delivery the listener could not store, as the coded error its log line shows. */
export function appendErrorOf(error: unknown, url: string, timeoutMs: number): StoreError {
  if (!isConnectionLost(error)) return storeErrorOf(error, url, timeoutMs);
  return closedUnder(
    error,
    url,
    'while a delivery was being stored',
    'Nothing, if Postgres was restarted: the next delivery opens a new connection (until then the listener answers 503 and senders retry). If it stopped, start it (e.g. `pg_ctlcluster 15 main start`).',
  );
}

/**
 * Why the connection that brings live updates (LISTEN) dropped, or could not be opened again. Said
 * without a hint of its own: the same outage closes the process's pooled connections, and that
 * line (pool-errors.ts) says what to do.
 */
export function liveUpdatesErrorOf(error: unknown, url: string, timeoutMs: number): StoreError {
  if (!isConnectionLost(error)) return storeErrorOf(error, url, timeoutMs);
  return closedUnder(error, url, 'that brings live updates');
}

function closedUnder(error: unknown, url: string, which: string, hint?: string): StoreError {
  const said = hidePassword((error as { message?: string }).message ?? String(error), url);
  return new StoreError(
    STORE_UNREACHABLE,
    `Postgres at ${databaseTarget(url)} closed the connection ${which} (DATABASE_URL=${redactDatabaseUrl(url)}): ${said}.`,
    { cause: error, ...(hint === undefined ? {} : { hint }) },
  );
}
