/**
 * The file engine: the journal in `<stateDir>/journal/` (steps/lib/journal/), the embedded
 * default. One listener writes it; its in-process worker runs the handlers. Dedupe claims live in
 * memory (claims.ts), seeded from the journal and the keys it remembers past rotation
 * (DEDUPE_RETENTION); the deliveries it holds are kept in an in-memory
 * feed for listing and following.
 *
 * @example
 * const store = fileStore(await openJournal({ dir: journalDir(stateDir), ...config.journal }));
 * await store.append(record, 'pending'); // on disk (fdatasync) when it resolves
 */
import { createDeliveryFeed, type DeliveryRecord, type DeliveryView, feedSource, checkRetry, withOutcome } from '../../delivery/index.ts';
import { StateError, WorkbenchError, writeFailed } from '../../core/index.ts';
import type { Journal } from '../../journal/index.ts';
import { asDuplicate, type DeliveryStore, noCounts } from '../store.ts';
import { claimsFromJournal } from './claims.ts';

/** Deliveries listed and followed (and at most FEED_BODY_LIMIT_BYTES of their bodies); the journal on disk keeps them all. */
const VIEW_LIMIT = 10_000;

/** The store over an open journal. Closing the store closes the journal. */
export function fileStore(
  journal: Pick<Journal, 'dir' | 'recovered' | 'rememberedKeys' | 'dedupeRetentionMs' | 'appendDelivery' | 'appendOutcomes' | 'close'>,
): DeliveryStore {
  const claims = claimsFromJournal(journal.recovered, { remembered: journal.rememberedKeys, retentionMs: journal.dedupeRetentionMs });
  let runRetry: ((view: DeliveryView) => void) | undefined;
  const views = createDeliveryFeed({ initial: journal.recovered, limit: VIEW_LIMIT });
  const source = feedSource(views);

  const store = async (record: DeliveryRecord, view: DeliveryView): Promise<DeliveryView> => {
    await journal.appendDelivery(record, view.handler).catch((error: unknown) => {
      throw error instanceof WorkbenchError ? error : appendFailed(journal.dir, error);
    });
    views.upsert(view);
    return view;
  };

  return {
    engine: 'file',
    location: journal.dir,
    unavailableCode: 'journal_unavailable',
    queuesHandlers: false,
    recovered: journal.recovered,
    async append(record, handler) {
      const view: DeliveryView = { ...record, handler, handlerError: undefined };
      if (handler === 'not-run' || record.dedupeKey === undefined) return store(record, view);
      const copy = await claims.firstCopyOrClaim(record.dedupeKey, record.id);
      if (copy.duplicateOf !== undefined) {
        const duplicate = asDuplicate(record, copy.duplicateOf, handler);
        return store(duplicate, { ...duplicate, handler: 'duplicate', handlerError: undefined });
      }
      let stored = false;
      try {
        const result = await store(record, view);
        stored = true;
        return result;
      } finally {
        // Duplicates of this delivery waited for this: stored, they are duplicates; not, the next is new.
        copy.settleStored(stored);
      }
    },
    async recordOutcomes(runs) {
      try {
        await journal.appendOutcomes(runs);
      } finally {
        // Shown even when the journal could not take them: the runs happened (a restart runs them again).
        for (const { id, handler, error, report } of runs) {
          const view = views.get(id);
          if (view !== undefined) views.upsert(withOutcome(view, handler, error, report));
        }
      }
    },
    runRetriesWith(run) {
      runRetry = run;
    },
    showRunning(id) {
      const view = views.get(id);
      if (view !== undefined) views.upsert({ ...view, handler: 'running' });
    },
    async retryNow(id, options) {
      const checked = checkRetry(id, views.get(id), options);
      if (!checked.ok) return checked;
      const view = checked.view;
      if (runRetry === undefined) return { ok: false, reason: 'not_retryable', message: 'No handler runs in this listener, so nothing can run it again.' };
      // Not journaled: until its run records an outcome, the journal still says failed/dead (which a restart re-runs) or duplicate.
      const queued: DeliveryView = { ...view, handler: 'pending', handlerError: undefined };
      views.upsert(queued);
      runRetry(queued);
      return { ok: true, delivery: queued };
    },
    list: source.list,
    get: source.get,
    readBody: source.readBody,
    subscribe: source.subscribe,
    async counts() {
      const counts = noCounts();
      for (const view of views.list()) counts[view.handler] += 1;
      return counts;
    },
    close: () => journal.close(),
  };
}

/**
 * A delivery the journal could not take (a full disk, a folder made read-only), as a coded error
 * for the listener's log line: its message says why, as writeFailed says it; its hint, what to do
 * while the listener keeps running.
 */
function appendFailed(dir: string, error: unknown): StateError {
  const { code, message } = writeFailed(dir, error);
  return new StateError(code, message, {
    cause: error,
    hint: `Free some space or fix the permissions of ${dir}: until then the listener answers 503 (journal_unavailable), and senders retry.`,
  });
}
