/**
 * Dedupe for the file journal: each dedupe key's first verified delivery claims it, and later
 * copies are duplicates of it, for DEDUPE_RETENTION after the first copy arrived; after that the
 * key is forgotten and the same bytes count as new. The claims live in memory, seeded when the
 * journal opens from its deliveries and from the keys of deliveries rotation removed
 * (journal/dedupe-keys.ts), so a restarted listener still knows them. (Postgres has a UNIQUE key
 * instead, kept as long as the rows.)
 *
 * @example
 * const claims = claimsFromJournal(journal.recovered, { remembered: journal.rememberedKeys, retentionMs: journal.dedupeRetentionMs });
 * const copy = await claims.firstCopyOrClaim(record.dedupeKey, record.id);
 * if (copy.duplicateOf === undefined) copy.settleStored(await journaled()); // tells the copies waiting on it
 */
import type { DeliveryView } from '../../delivery/index.ts';
import type { DedupeKey } from '../../journal/index.ts';

/** Either a duplicate of the stored delivery `duplicateOf`, or the new first copy, which must report whether it was stored. */
export type FirstCopy = { readonly duplicateOf: string } | { readonly duplicateOf: undefined; readonly settleStored: (stored: boolean) => void };

export interface DedupeClaims {
  /**
   * Either the id of the stored delivery this one repeats, or, when it is new, a claim on its dedupe
   * key (made in the same synchronous step as the lookup, so two copies can never both claim it).
   * A first copy still being journaled is waited for: if storing it fails, its sender gets a 503 and
   * this copy takes its place (answering it "duplicate" would acknowledge a delivery nobody stored).
   */
  firstCopyOrClaim(key: string, id: string): Promise<FirstCopy>;
}

/** Dedupe keys remembered in memory; the oldest are forgotten past this (a restart rebuilds them from the journal). */
const SEEN_LIMIT = 100_000;

interface SeenDelivery {
  readonly id: string;
  /** When the first copy arrived (ms since the epoch): the key is forgotten `retentionMs` after. */
  readonly at: number;
  /** True once the delivery is in the journal, false if storing it failed; undefined while it is being stored. */
  stored: boolean | undefined;
  /** Copies waiting to learn `stored` (made only when a copy arrives while the first is being stored: rare). */
  waiters: ((stored: boolean) => void)[] | undefined;
}

export interface ClaimOptions {
  /** Keys of stored deliveries no longer in the journal (rotation removed them), oldest first. */
  readonly remembered?: readonly DedupeKey[];
  /** How long after its first copy a key is kept (DEDUPE_RETENTION). */
  readonly retentionMs: number;
  /** The clock (tests move it). */
  readonly now?: () => number;
}

/** Claims over the deliveries the journal already holds (each key's first verified, non-duplicate delivery) and the keys it remembers. */
export function claimsFromJournal(recovered: readonly DeliveryView[], options: ClaimOptions): DedupeClaims {
  const { remembered = [], retentionMs, now = Date.now } = options;
  const seen = new Map<string, SeenDelivery>();
  const inJournal = (id: string, at: number): SeenDelivery => ({ id, at, stored: true, waiters: undefined });
  for (const { key, id, at } of remembered) if (!seen.has(key)) seen.set(key, inJournal(id, at));
  for (const view of recovered) {
    if (view.code === 'ok' && view.handler !== 'duplicate' && view.dedupeKey !== undefined && !seen.has(view.dedupeKey)) {
      seen.set(view.dedupeKey, inJournal(view.id, Date.parse(view.receivedAt)));
    }
  }

  // No promise and no named closure per claim (this runs for every delivery): the entry holds the
  // outcome, and a promise is made only for a copy that has to wait for it.
  const claim = (key: string, id: string): FirstCopy => {
    const entry: SeenDelivery = { id, at: now(), stored: undefined, waiters: undefined };
    seen.delete(key); // an expired claim being replaced: the new one goes to the end, with the newest
    seen.set(key, entry);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.keys().next().value as string);
    return {
      duplicateOf: undefined,
      settleStored(stored) {
        entry.stored = stored;
        for (const wake of entry.waiters ?? []) wake(stored);
        entry.waiters = undefined;
        if (!stored && seen.get(key) === entry) seen.delete(key);
      },
    };
  };

  return {
    async firstCopyOrClaim(key, id) {
      for (;;) {
        const entry = seen.get(key);
        if (entry === undefined || now() - entry.at > retentionMs) return claim(key, id);
        const stored = entry.stored ?? (await storedOf(entry));
        if (stored) return { duplicateOf: entry.id };
        if (seen.get(key) === entry) seen.delete(key);
      }
    },
  };
}

/** Resolves with whether `entry`'s delivery got stored, once its first copy's write settles. */
function storedOf(entry: SeenDelivery): Promise<boolean> {
  return new Promise((resolve) => {
    entry.waiters ??= [];
    entry.waiters.push(resolve);
  });
}
