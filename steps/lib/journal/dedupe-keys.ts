/**
 * Dedupe keys that outlive the journal files holding them. A sender may retry a delivery days
 * later; the journal only reaches back as far as its kept files, so before rotation deletes a
 * file, the keys of the deliveries in it go to `dedupe-keys.ndjson` beside the journal, and a
 * restarted listener still knows them. Keys are kept for DEDUPE_RETENTION (default 7 days), at
 * most DEDUPE_KEYS_KEPT of them (the newest); the file is rewritten whole, atomically and flushed
 * to disk, at each rotation, dropping what has expired. (Postgres needs none of this: its UNIQUE
 * dedupe key keeps every key for as long as the row is kept.)
 *
 * One line per key: `{"key":"sha256:…","id":"<first copy's id>","at":"<its arrival, ISO 8601>"}`.
 *
 * @example
 * const { keys } = await readDedupeKeys(dir, { retentionMs, now: Date.now() });
 * await writeDedupeKeys(dir, mergeDedupeKeys(keys, keysOfRemovedFile, { retentionMs, now: Date.now() }));
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/index.ts';
import { isObject, type JournalEntry } from './format.ts';

/** The file beside the journal files. */
export const DEDUPE_KEYS_FILE = 'dedupe-keys.ndjson';
/** Keys remembered at most (the newest): a bound on memory and on the file. */
export const DEDUPE_KEYS_KEPT = 100_000;
/** DEDUPE_RETENTION's default: 7 days. */
export const DEFAULT_DEDUPE_RETENTION_MS = 7 * 24 * 3600 * 1000;

export interface DedupeKey {
  readonly key: string;
  /** The delivery that claimed it (its first copy). */
  readonly id: string;
  /** When that delivery arrived, in ms since the epoch. */
  readonly at: number;
}

export interface Retention {
  readonly retentionMs: number;
  readonly now: number;
}

/** The key `entry` claims: a verified delivery's first copy (a duplicate claims none). */
export function dedupeKeyOfEntry(entry: JournalEntry): DedupeKey | undefined {
  if (entry.type !== 'delivery' || entry.handler === 'duplicate') return undefined;
  const { record } = entry;
  if (record.code !== 'ok' || record.dedupeKey === undefined) return undefined;
  return { key: record.dedupeKey, id: record.id, at: Date.parse(record.receivedAt) };
}

/** True while `key` is within the retention. */
function isKept(key: DedupeKey, { retentionMs, now }: Retention): boolean {
  return now - key.at <= retentionMs;
}

/** The keys in `dir`'s file still within the retention, oldest first; none when there is no file. */
export async function readDedupeKeys(dir: string, retention: Retention): Promise<{ keys: DedupeKey[]; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(join(dir, DEDUPE_KEYS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [], warnings: [] };
    const why = (error as Error).message;
    return {
      keys: [],
      warnings: [`${DEDUPE_KEYS_FILE}: could not read it (${why}); a retry of a delivery older than the journal's files will run its handler again.`],
    };
  }
  const keys: DedupeKey[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const key = parseKey(line);
    if (key === undefined) unreadable += 1;
    else if (isKept(key, retention)) keys.push(key);
  }
  const warnings = unreadable === 0 ? [] : [`${DEDUPE_KEYS_FILE}: skipped ${unreadable} unreadable line(s).`];
  return { keys, warnings };
}

/** `remembered` then `added`, without what has expired, the first copy of each key kept, at most DEDUPE_KEYS_KEPT (the newest). */
export function mergeDedupeKeys(remembered: readonly DedupeKey[], added: readonly DedupeKey[], retention: Retention): DedupeKey[] {
  const byKey = new Map<string, DedupeKey>();
  for (const key of [...remembered, ...added]) {
    if (isKept(key, retention) && !byKey.has(key.key)) byKey.set(key.key, key);
  }
  const kept = [...byKey.values()].sort((a, b) => a.at - b.at);
  return kept.slice(Math.max(0, kept.length - DEDUPE_KEYS_KEPT));
}

/** Replaces the file with `keys`, atomically, flushed to disk before it resolves (a journal file is deleted right after). */
export async function writeDedupeKeys(dir: string, keys: readonly DedupeKey[]): Promise<void> {
  const lines = keys.map((key) => `${JSON.stringify({ key: key.key, id: key.id, at: new Date(key.at).toISOString() })}\n`);
  await writeFileAtomic(join(dir, DEDUPE_KEYS_FILE), lines.join(''), { sync: true });
}

function parseKey(line: string): DedupeKey | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.key !== 'string' || typeof value.id !== 'string' || typeof value.at !== 'string') return undefined;
  const at = Date.parse(value.at);
  return Number.isNaN(at) ? undefined : { key: value.key, id: value.id, at };
}
