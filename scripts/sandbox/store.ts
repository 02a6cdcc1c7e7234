/**
 * The sandbox's memory: subscriptions, users and deliveries in one JSON file,
 * `<stateDir>/sandbox/store-<port>.json`, written atomically (temp file + rename) after every
 * change, so a restart (or a crash) loses nothing that was acknowledged. A change the API answers
 * for goes through `transact`: when the write fails (a full disk), the change is taken back in
 * memory too, so the client's 500 means nothing happened and nothing is left half-done.
 *
 * The file is named by port: two sandboxes on different ports can share a state folder without
 * touching each other's data, and the sandbox that uses a file holds `<file>.lock` (store-lock.ts):
 * the same port can be bound on two addresses (127.0.0.1 and ::1).
 *
 * @example
 * const store = await openStore(storeFileFor('.workbench', 4010));
 * await store.transact(() => {
 *   store.data.users.push(user);
 *   return { result: user, undo: () => store.data.users.splice(store.data.users.indexOf(user), 1) };
 * });
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_CORRUPT, StateError, writeFileAtomic } from '../../steps/lib/core/index.ts';
import type { EventName } from './events.ts';
import type { LearningData } from './learning.ts';
import { storeShapeProblem } from './store-shape.ts';
import { storeChunks } from './store-chunks.ts';
import { newSigningKey } from './tokens.ts';

export interface StoredSubscription {
  readonly domainkey: number;
  readonly eventname: EventName;
  readonly target: string;
  readonly secret: string;
  readonly active: boolean;
  readonly created: string;
  readonly modified: string;
}

export interface StoredUser {
  readonly userkey: number;
  readonly username: string;
  readonly firstname: string | null;
  readonly lastname: string | null;
  readonly email: string | null;
  readonly domainkey: number;
  readonly created: string;
  readonly modified: string;
}

/**
 * `pending` until a 2xx makes it `delivered`; `failed` for good once it is older than the retry
 * policy allows (SANDBOX_RETRY_MAX_AGE); `cancelled` by hand, or because its subscription was
 * deactivated or re-pointed. Only `pending` deliveries are ever sent on their own; a resend is one
 * attempt in any state.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** What the receiver answered: status, headers, and the start of the body. */
export interface AttemptResponse {
  readonly status: number;
  /** Header pairs as received (lower-case names). */
  readonly headers: readonly (readonly [string, string])[];
  /** The first ANSWER_BODY_BYTES (4 KiB), decoded as UTF-8; once a newer attempt came, the first EARLIER_ANSWER_BYTES (attempt.ts). */
  readonly body: string;
  /** True when the body was longer than what is kept. */
  readonly bodyTruncated: boolean;
}

/** One POST of a delivery's bytes, and what came of it. */
export interface DeliveryAttempt {
  /** 1 for the first attempt; counts every attempt, also those no longer kept. */
  readonly number: number;
  /** ISO time the attempt started. */
  readonly at: string;
  /** `schedule`: the retry policy sent it; `resend`: someone asked for it. */
  readonly trigger: 'schedule' | 'resend';
  readonly target: string;
  /** From sending the request to the end of the answer (or the error). */
  readonly latencyMs: number;
  /** Null when there was no answer (connection refused, timed out...). */
  readonly response: AttemptResponse | null;
  /** The network error, or null when the receiver answered. */
  readonly error: string | null;
}

export interface StoredDelivery {
  readonly id: string;
  readonly eventname: EventName;
  readonly domainkey: number;
  readonly target: string;
  /** The exact body text (plain ASCII), signed once: every attempt sends these bytes. */
  readonly body: string;
  /** The exact Authorization header value, computed once with the secret of the moment. */
  readonly authorization: string;
  readonly createdAt: string;
  status: DeliveryStatus;
  /** How many attempts were made in all. */
  attempts: number;
  /** The most recent attempts, oldest first (at most ATTEMPTS_KEPT of them). */
  attemptLog: DeliveryAttempt[];
  /** ISO time of the next attempt while pending; null otherwise. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** HTTP status of the last attempt, null when it got no response. */
  lastStatus: number | null;
  /** Why the last attempt failed (status line or network error); null after a success. */
  lastError: string | null;
  deliveredAt: string | null;
  /** Why it is `failed` or `cancelled`; null otherwise. */
  reason: string | null;
  /** When it became `failed` or `cancelled`; null otherwise. */
  endedAt: string | null;
}

export interface StoreData {
  readonly version: 1;
  /** Key the access tokens are signed with (see tokens.ts). */
  readonly signingKey: string;
  nextUserkey: number;
  subscriptions: StoredSubscription[];
  users: StoredUser[];
  deliveries: StoredDelivery[];
  /** Modules, courses, completions and certificates (learning.ts); absent from stores written before they existed. */
  learning?: LearningData;
}

export interface Store {
  readonly file: string;
  readonly data: StoreData;
  /**
   * Writes the current data. Resolves once everything changed before the call is on disk; rejects
   * with StateError STATE_WRITE_FAILED when the write that carries those changes fails.
   */
  save(): Promise<void>;
  /**
   * All or nothing: makes the change `apply` makes to `data`, saves it, and resolves with what
   * `apply` returned. When the save fails, `apply`'s own undo runs (and only it: other changes made
   * meanwhile stay) and the StateError is thrown, so a caller answering 500 can say nothing happened.
   */
  transact<T>(apply: () => Change<T>): Promise<T>;
}

/** A change `transact` made: its result, and how to take it back. */
export interface Change<T> {
  readonly result: T;
  readonly undo: () => void;
}

/** First userkey a fresh sandbox hands out. */
const FIRST_USERKEY = 1001;

/** Where the sandbox listening on `port` keeps its data. */
export function storeFileFor(stateDir: string, port: number): string {
  return join(stateDir, 'sandbox', `store-${port}.json`);
}

/** Loads `file`, or starts empty when it does not exist. Throws StateError when it is not a store. */
export async function openStore(file: string): Promise<Store> {
  const data = await load(file);
  // Compact, not indented: with thousands of pending deliveries (each keeping its recent attempts)
  // the file is tens of MB and rewritten after every batch of attempts, and indentation was a third
  // of its bytes. Stores written indented by earlier versions load the same (JSON.parse). The bytes
  // are made slice by slice (store-chunks.ts), so a big store does not hold up every request meanwhile.
  const write = () => writeFileAtomic(file, storeChunks(data));
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  // One write at a time. A save() while a write runs joins the next write (one for all such
  // callers), which starts when the running one ends and so carries their changes: a caller hears
  // about a write that has its change, never about one that started before it.
  const save = (): Promise<void> => {
    if (running === undefined) {
      running = write().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return save();
      });
    return queued;
  };

  return {
    file,
    data,
    save,
    async transact(apply) {
      const { result, undo } = apply();
      try {
        await save();
      } catch (error) {
        undo();
        throw error;
      }
      return result;
    },
  };
}

async function load(file: string): Promise<StoreData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { version: 1, signingKey: newSigningKey(), nextUserkey: FIRST_USERKEY, subscriptions: [], users: [], deliveries: [] };
    }
    throw corrupt(file, `cannot be read: ${(error as Error).message}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, 'is not valid JSON', error);
  }
  const problem = storeShapeProblem(parsed);
  if (problem !== undefined) throw corrupt(file, `is not a sandbox store (version 1): ${problem}`);
  const data = parsed as StoreData; // every field checked just above
  data.deliveries = data.deliveries.map(withLogFields);
  return data;
}

/** A delivery from a store written before deliveries kept their attempts: the new fields, empty. */
function withLogFields(delivery: StoredDelivery): StoredDelivery {
  return { ...delivery, attemptLog: delivery.attemptLog ?? [], reason: delivery.reason ?? null, endedAt: delivery.endedAt ?? null };
}

function corrupt(file: string, what: string, cause?: unknown): StateError {
  // The file is left as it is: it may hold pending deliveries the user wants to rescue.
  return new StateError(STATE_CORRUPT, `The sandbox store ${file} ${what}.`, {
    cause,
    hint: `Move ${file} aside (it holds the sandbox's users, subscriptions and pending deliveries) and start the sandbox again for a fresh one, or correct what this message names and start it again.`,
  });
}
