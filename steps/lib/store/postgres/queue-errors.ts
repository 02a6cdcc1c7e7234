/**
 * What a process says when pg-boss reports an error: the store's coded error (as at start: what
 * happened, the code, DATABASE_URL with the password hidden) and a `Next:` line. pg-boss reports a
 * lost Postgres at every poll (a worker's dead-letter queue and maintenance poll every second), so
 * an outage is said once, when it starts, and once more when Postgres answers again; other errors
 * at most once per REPEAT_QUIET_MS each.
 *
 * A dropped connection is not an outage by itself (Postgres restarted, or cut idle connections):
 * the pool says it (pool-errors.ts), and the next poll's new connection shows whether Postgres is gone.
 *
 * @example
 * const errors = queueErrors({ url, timeoutMs: 10_000, log });
 * boss.on('error', errors.failed);   // pg-boss could not reach Postgres, or a query failed
 * errors.answered();                 // after each query that succeeded: ends an outage that was said
 */
import { STORE_FAILED, type StoreErrorCode } from '../../core/index.ts';
import { storeErrorOf } from './connect.ts';
import { isConnectionLost } from './connection-lost.ts';

/** How long the same error (other than an outage) is not said again. */
const REPEAT_QUIET_MS = 30_000;

export interface QueueErrors {
  /** pg-boss's 'error' handler. */
  failed(error: unknown): void;
  /** A query of pg-boss's succeeded. */
  answered(): void;
}

export interface QueueErrorsOptions {
  /** DATABASE_URL and HTTP_TIMEOUT_MS, for the messages. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  /** The clock; default Date.now. */
  readonly now?: () => number;
}

export function queueErrors(options: QueueErrorsOptions): QueueErrors {
  const { url, timeoutMs, log, now = Date.now } = options;
  /** The codes said since the outage began; undefined while Postgres answers. */
  let outage: Set<StoreErrorCode> | undefined;
  const lastSaid = new Map<string, number>();
  return {
    failed(error) {
      // A dropped connection: the pool says it (pool-errors.ts); the next poll shows whether Postgres is gone.
      if (isConnectionLost(error)) return;
      const storeError = storeErrorOf(error, url, timeoutMs);
      const lines = [`queue: ${storeError.message} [${storeError.code}]`];
      if (storeError.code === STORE_FAILED) {
        // A query Postgres refused, not an outage: said again if it still fails REPEAT_QUIET_MS later.
        const at = now();
        if (at - (lastSaid.get(storeError.message) ?? -Infinity) < REPEAT_QUIET_MS) return;
        lastSaid.set(storeError.message, at);
        if (storeError.hint !== undefined) lines.push(`Next: ${storeError.hint}`);
      } else {
        outage ??= new Set();
        if (outage.has(storeError.code)) return;
        outage.add(storeError.code);
        lines.push(
          `Next: ${storeError.hint ?? 'Check DATABASE_URL.'} Until then no jobs are taken; this process takes them again by itself once Postgres answers.`,
        );
      }
      for (const line of lines) log(line);
    },
    answered() {
      if (outage === undefined) return;
      outage = undefined;
      log('queue: Postgres answers again; jobs are taken again.');
    },
  };
}
