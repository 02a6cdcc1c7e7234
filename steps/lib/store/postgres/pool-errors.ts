/**
 * What a process says when Postgres closes its idle pooled connections (Postgres stopped, crashed
 * or restarted, or an administrator ended them): the store's coded error, as at start and as the
 * queue says an outage (queue-errors.ts), and a `Next:` line. Said once per outage, not once per
 * connection (a pool holds up to ten, and a listener has two pools): again only after a new
 * connection has opened, which is when Postgres answers again.
 *
 * No query was running on those connections, so nothing failed yet: the next query opens a new
 * connection, and shows whether Postgres is gone (the queue and the listener's answers say that).
 * A connection closed for idling past idle_session_timeout is not said at all: that is the
 * setting doing its job, and the pool opens a new one when it needs one.
 *
 * @example
 * const errors = poolErrors({ url, log });
 * pool.on('error', errors.dropped);     // an idle connection died
 * pool.on('connect', errors.connected); // a new one opened: the outage (if any) is over
 */
import { databaseTarget, hidePassword, redactDatabaseUrl, STORE_UNREACHABLE, StoreError } from '../../core/index.ts';

/** SQLSTATE of a session Postgres closed because it idled past idle_session_timeout (Postgres 14+). */
const IDLE_SESSION_TIMEOUT = '57P05';

export interface PoolErrors {
  /** A pool's 'error' handler: one of its idle connections died. */
  dropped(error: Error): void;
  /** A pool's 'connect' handler: a new connection opened. */
  connected(): void;
}

export function poolErrors(options: { readonly url: string; readonly log: (line: string) => void }): PoolErrors {
  const { url, log } = options;
  let said = false;
  return {
    dropped(error) {
      // 57P05: idle_session_timeout, set on the database or role, closed a connection that idled: nothing is wrong.
      if (said || (error as { code?: string }).code === IDLE_SESSION_TIMEOUT) return;
      said = true;
      const lost = new StoreError(
        STORE_UNREACHABLE,
        `Postgres at ${databaseTarget(url)} closed this process's idle connections (DATABASE_URL=${redactDatabaseUrl(url)}): ${hidePassword(error.message, url)}.`,
        {
          hint: 'Nothing, if Postgres was restarted: this process opens new connections as it needs them. If it stopped, start it (e.g. `pg_ctlcluster 15 main start`).',
        },
      );
      log(`postgres: ${lost.message} [${lost.code}]`);
      log(`Next: ${lost.hint}`);
    },
    connected() {
      said = false;
    },
  };
}
