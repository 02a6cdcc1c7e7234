/**
 * The sandbox's memory: subscriptions, users and deliveries in one JSON file,
 * `<stateDir>/sandbox/store-<port>.json`, written atomically (temp file + rename) after every
 * change, so a restart (or a crash) loses nothing that was acknowledged.
 *
 * The file is named by port: two sandboxes on different ports can share a state folder without
 * touching each other's data, and binding the port first means only one process owns a file.
 *
 * @example
 * const store = await openStore(storeFileFor('.workbench', 4010));
 * store.data.users.push(user);
 * await store.save();
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_CORRUPT, StateError, writeFileAtomic } from '../../steps/lib/core/index.ts';
import type { EventName } from './events.ts';
import type { LearningData } from './learning.ts';
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

export type DeliveryStatus = 'pending' | 'delivered';

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
  attempts: number;
  /** ISO time of the next attempt while pending; null once delivered. */
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  /** HTTP status of the last attempt, null when it got no response. */
  lastStatus: number | null;
  /** Why the last attempt failed (status line or network error); null after a success. */
  lastError: string | null;
  deliveredAt: string | null;
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
  /** Writes the current data; resolves once everything changed before the call is on disk. */
  save(): Promise<void>;
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
  let writing: Promise<void> | undefined;
  let dirty = false;

  // Saves are coalesced: while one write runs, later changes mark the data dirty and the same
  // loop writes again, so files are never written concurrently and the last write wins.
  const loop = async (): Promise<void> => {
    try {
      while (dirty) {
        dirty = false;
        await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
      }
    } finally {
      writing = undefined;
    }
  };

  return {
    file,
    data,
    save() {
      dirty = true;
      writing ??= loop();
      return writing;
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
  if (!isStoreData(parsed)) throw corrupt(file, 'is not a sandbox store (version 1)');
  return parsed;
}

function isStoreData(value: unknown): value is StoreData {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Partial<Record<keyof StoreData, unknown>>;
  return (
    data.version === 1 &&
    typeof data.signingKey === 'string' &&
    Number.isSafeInteger(data.nextUserkey) &&
    Array.isArray(data.subscriptions) &&
    Array.isArray(data.users) &&
    Array.isArray(data.deliveries)
  );
}

function corrupt(file: string, what: string, cause?: unknown): StateError {
  // The file is left as it is: it may hold pending deliveries the user wants to rescue.
  return new StateError(STATE_CORRUPT, `The sandbox store ${file} ${what}.`, {
    cause,
    hint: `Move ${file} aside (it holds the sandbox's users, subscriptions and pending deliveries) and start the sandbox again for a fresh one.`,
  });
}
