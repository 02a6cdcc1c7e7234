/**
 * Dedupe keys that outlive the journal files holding them. A sender may retry a delivery days
 * later; the journal only reaches back as far as its kept files, so before rotation deletes a
 * file, the keys of the deliveries in it are appended to `dedupe-keys.ndjson` beside the journal
 * (and flushed to disk), and a restarted listener still knows them. Keys are kept for
 * DEDUPE_RETENTION (default 7 days), at most DEDUPE_KEYS_KEPT of them (the newest). (Postgres
 * needs none of this: its UNIQUE dedupe key keeps every key for as long as the row is kept.)
 *
 * Rotation only appends (what it costs is what the removed file held): rewriting 100,000 keys
 * took 0.5-1 s, and rotation holds every acknowledgement waiting behind it. Once most of the
 * file's lines are expired or past the bound, it is rewritten without them in the background.
 *
 * One line per key: `{"key":"sha256:…","id":"<first copy's id>","at":"<its arrival, ISO 8601>"}`.
 *
 * @example
 * const { file, keys } = await DedupeKeyFile.open({ dir, retentionMs, log });
 * await file.append(keysOfRemovedFile); // on disk when it resolves; then the journal file may go
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject, readRegularFile, syncDir, writeFileAtomic } from '../core/index.ts';
import type { JournalEntry } from './format.ts';

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

interface Retention {
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

interface KeyFileContent {
  /** Keys within the retention, oldest first, at most DEDUPE_KEYS_KEPT (the newest). */
  readonly keys: DedupeKey[];
  readonly lines: number;
  readonly bytes: number;
  /** The last line has no newline (a crash cut an append short). */
  readonly endsMidLine: boolean;
  readonly warnings: string[];
}

/** What `dir`'s key file holds; nothing when there is no file. */
async function readDedupeKeys(dir: string, retention: Retention): Promise<KeyFileContent> {
  let data: Buffer;
  try {
    data = await readRegularFile(join(dir, DEDUPE_KEYS_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [], lines: 0, bytes: 0, endsMidLine: false, warnings: [] };
    const why = (error as Error).message;
    // Appending to a file that cannot be read would be blind: counted as all dead lines, it is rewritten at the next append.
    return {
      keys: [],
      lines: Number.MAX_SAFE_INTEGER,
      bytes: 0,
      endsMidLine: false,
      warnings: [`${DEDUPE_KEYS_FILE}: could not read it (${why}); a retry of a delivery older than the journal's files will run its handler again.`],
    };
  }
  const keys: DedupeKey[] = [];
  let lines = 0;
  let unreadable = 0;
  for (const line of data.toString('utf8').split('\n')) {
    if (line === '') continue;
    lines += 1;
    const key = parseKey(line);
    if (key === undefined) unreadable += 1;
    else if (isKept(key, retention)) keys.push(key);
  }
  keys.sort((a, b) => a.at - b.at);
  const warnings = unreadable === 0 ? [] : [`${DEDUPE_KEYS_FILE}: skipped ${unreadable} unreadable line(s) (a write cut short by a crash leaves one).`];
  const endsMidLine = data.length > 0 && data[data.length - 1] !== 0x0a;
  return { keys: keys.slice(Math.max(0, keys.length - DEDUPE_KEYS_KEPT)), lines, bytes: data.length, endsMidLine, warnings };
}

/** Lines past which the file is rewritten: more than twice the live keys (plus some slack for small files). */
const COMPACT_SLACK_LINES = 1024;

export interface KeyFileOptions {
  readonly dir: string;
  /** How long after its delivery arrived a key is kept (DEDUPE_RETENTION). */
  readonly retentionMs: number;
  readonly log: (line: string) => void;
  /** The clock (tests move it), as claims.ts has: the same edge on both sides. */
  readonly now?: () => number;
}

/** The key file of one open journal: appended to at rotation, compacted in the background. */
export class DedupeKeyFile {
  readonly #path: string;
  readonly #dir: string;
  readonly #retentionMs: number;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  /** Keys within the retention, roughly oldest first (in the order their files were written), at most DEDUPE_KEYS_KEPT. */
  #live: DedupeKey[];
  /** Lines in the file, live or not, and its length in bytes (to cut back a failed append). */
  #lines: number;
  #bytes: number;
  /** The file ends in a torn line: the next append starts with a newline, or its first key would be glued onto it and lost. */
  #endsMidLine: boolean;
  /** Appends and rewrites, one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();

  private constructor(options: KeyFileOptions, live: DedupeKey[], content: KeyFileContent) {
    this.#dir = options.dir;
    this.#path = join(options.dir, DEDUPE_KEYS_FILE);
    this.#retentionMs = options.retentionMs;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#live = live;
    this.#lines = content.lines;
    this.#bytes = content.bytes;
    this.#endsMidLine = content.endsMidLine;
  }

  /** Reads `dir`'s key file: `keys` are those within the retention, oldest first (none when there is no file). */
  static async open(options: KeyFileOptions): Promise<{ file: DedupeKeyFile; keys: DedupeKey[]; warnings: string[] }> {
    const { dir, retentionMs, now = Date.now } = options;
    const content = await readDedupeKeys(dir, { retentionMs, now: now() });
    const { keys, warnings } = content;
    return { file: new DedupeKeyFile(options, [...keys], content), keys, warnings };
  }

  /**
   * Appends `added` (the keys of a file rotation removes), flushed to disk before it resolves; a
   * failed append is cut back off the file and rejects, so the caller keeps the journal file.
   */
  append(added: readonly DedupeKey[]): Promise<void> {
    const appended = this.#queue.then(() => this.#append(added));
    this.#queue = appended.then(
      () => this.#compactIfMostlyDead(),
      () => {},
    );
    return appended;
  }

  /** Waits for the appends and a rewrite under way. */
  async close(): Promise<void> {
    await this.#queue;
  }

  async #append(added: readonly DedupeKey[]): Promise<void> {
    if (added.length === 0) return;
    const text = (this.#endsMidLine ? '\n' : '') + added.map(lineOf).join('');
    const handle = await open(this.#path, 'a', 0o600);
    try {
      await handle.writeFile(text);
      await handle.datasync();
    } catch (error) {
      await handle.truncate(this.#bytes).catch(() => {});
      throw error;
    } finally {
      await handle.close();
    }
    if (this.#lines === 0) await syncDir(this.#dir); // a new file: make its name durable too
    this.#lines += added.length;
    this.#bytes += Buffer.byteLength(text);
    this.#endsMidLine = false;
    const retention = { retentionMs: this.#retentionMs, now: this.#now() };
    this.#live.push(...added.filter((key) => isKept(key, retention)));
    const expired = this.#live.findIndex((key) => isKept(key, retention));
    const drop = Math.max(expired === -1 ? this.#live.length : expired, this.#live.length - DEDUPE_KEYS_KEPT);
    if (drop > 0) this.#live.splice(0, drop);
  }

  /** Rewrites the file with the live keys only, once the dead lines outnumber them. A failure only leaves a longer file. */
  async #compactIfMostlyDead(): Promise<void> {
    if (this.#lines <= 2 * this.#live.length + COMPACT_SLACK_LINES) return;
    const text = this.#live.map(lineOf).join('');
    try {
      await writeFileAtomic(this.#path, text, { sync: true });
      this.#lines = this.#live.length;
      this.#bytes = Buffer.byteLength(text);
      this.#endsMidLine = false;
    } catch (error) {
      this.#log(`journal: could not rewrite ${DEDUPE_KEYS_FILE} without its expired keys (${(error as Error).message}); it is only longer, nothing is lost.`);
    }
  }
}

function lineOf(key: DedupeKey): string {
  return `${JSON.stringify({ key: key.key, id: key.id, at: new Date(key.at).toISOString() })}\n`;
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
