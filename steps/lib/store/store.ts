/**
 * The delivery store: where the listener puts the record of every request it answers (before the
 * answer), where handler outcomes go, and where the inspector, step 5 and the workers read them.
 * Two engines: the file journal (the embedded default, one listener) and Postgres (DATABASE_URL:
 * any number of listeners and `npm run worker` processes share it).
 *
 * The promise is the same in both: `append` resolves only once the record is stored (fdatasync, or
 * a committed transaction), so the listener never acknowledges what is not stored; it rejects
 * otherwise, and the listener answers 503 with `unavailableCode`. For a new verified delivery it
 * also claims the dedupe key in the same step, so a sender's retry is stored as a `duplicate`,
 * however many listeners it reaches.
 *
 * @example
 * const store = await openStore({ config, log });
 * const view = await store.append(record, 'pending'); // view.handler: 'pending', or 'duplicate' of an earlier copy
 * const { deliveries } = await store.list({ handler: 'dead', limit: 20 });
 */
import { type DeliveryRecord, type DeliverySource, type DeliveryView, duplicateAnswer, type HandlerState } from '../delivery/index.ts';
import type { HandlerRun } from '../journal/index.ts';

export type StoreEngine = 'file' | 'postgres';

/** Handler states the store counts (its health line and the inspector's header). */
export type HandlerCounts = Readonly<Record<HandlerState, number>>;

export interface DeliveryStore extends DeliverySource {
  readonly engine: StoreEngine;
  /** Where it keeps deliveries, for messages: the journal folder, or DATABASE_URL with the password hidden. */
  readonly location: string;
  /** The `code` of the 503 the listener sends when `append` fails. */
  readonly unavailableCode: 'journal_unavailable' | 'store_unavailable';
  /**
   * True when handlers run from the store's own job queue (Postgres: `npm run worker`), so a
   * listener never runs them itself; false when the listener's in-process worker runs them (file).
   */
  readonly queuesHandlers: boolean;
  /** Deliveries already stored when it opened, oldest first (file: the journal; Postgres: none, it is shared). */
  readonly recovered: readonly DeliveryView[];
  /**
   * Stores the record of an answered request; resolves once it is durable. `pending` claims the
   * record's dedupe key: the result is then `pending` (the first copy; its handler will run, and
   * with Postgres its job is queued in the same transaction) or `duplicate` (a repeat of a stored
   * one, with the reason saying which). `not-run` stores it as it is.
   */
  append(record: DeliveryRecord, handler: 'pending' | 'not-run'): Promise<DeliveryView>;
  /** Records what handler runs did, and what they reported (a forward's try), for the listener's in-process worker. */
  recordOutcomes(runs: readonly HandlerRun[]): Promise<void>;
  /**
   * File engine: the listener's in-process worker, which Retry now hands a delivery to (with
   * Postgres, Retry now queues a new job for the workers instead).
   */
  runRetriesWith?(run: (view: DeliveryView) => void): void;
  /**
   * File engine: the listener's in-process worker started a run of `id`'s handler; its list says
   * `running` (with its last error, if a retry) until the outcome is recorded. Not journaled (a crash re-runs what has no outcome).
   */
  showRunning?(id: string): void;
  /** How many deliveries are in each handler state. */
  counts(): Promise<HandlerCounts>;
  close(): Promise<void>;
}

/** The reason of a delivery stored as a duplicate: its own reason, then which delivery it repeats. */
function duplicateReason(reason: string, firstId: string, dedupeKey: string): string {
  return `${reason.replace(/\.$/, '')}; a duplicate of ${firstId} (same ${dedupeKey.split(':')[0]}), so the handler does not run again.`;
}

/**
 * The record of a delivery stored as a repeat of `firstId`: its reason says so, and a copy that
 * would have run the handler (`pending`) is answered `"duplicate": true` (a `not-run` one is
 * answered as it was going to be).
 */
export function asDuplicate(record: DeliveryRecord, firstId: string, handler: 'pending' | 'not-run'): DeliveryRecord {
  const reason = duplicateReason(record.reason, firstId, record.dedupeKey ?? '');
  const response = handler === 'pending' && record.response !== undefined ? duplicateAnswer(record.response, record.id) : record.response;
  return { ...record, reason, ...(response === undefined ? {} : { response }) };
}

/** Zero for every handler state. */
export function noCounts(): Record<HandlerState, number> {
  return { pending: 0, running: 0, done: 0, failed: 0, dead: 0, duplicate: 0, 'not-run': 0 };
}
