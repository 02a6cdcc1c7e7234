/**
 * The journal's append side: one open file, a queue, and the group-commit loop. While one
 * write + fdatasync is in flight, new entries queue up and go out together in the next one.
 * Rotation closes the file at `maxBytes` of new entries, deletes the oldest beyond `keepFiles`, and
 * first copies forward any delivery whose handler is still owed, so rotation never drops pending
 * work (those copies come on top of `maxBytes`).
 * It always appends format-2 frames, to a new file when the newest one is format 1.
 */
import { fstatSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { STATE_WRITE_FAILED, StateError, syncDir } from '../core/index.ts';
import { type DedupeKey, type DedupeKeyFile, dedupeKeyOfEntry } from './dedupe-keys.ts';
import type { JournalFile } from './files.ts';
import { type DeliveryEntry, type HandlerEntry, journalFileName, type JournalEntry } from './format.ts';
import { encodeBodilessFrames, encodeFrameParts } from './frame.ts';
import { type ForwardLog, withForwardAttempt } from '../delivery/index.ts';

/** How long an unhurried entry waits for a delivery's flush to ride along with. */
const UNHURRIED_DELAY_MS = 50;

/**
 * Per delivery still owed a handler run: the file (seq) holding its delivery entry, its delivery
 * frame (as parts), its last outcome, and its forward log so far (at most FORWARD_LOG_KEEP tries,
 * and the count): what rotation writes when it carries the delivery forward.
 */
export type Owed = Map<string, OwedDelivery>;

interface OwedDelivery {
  seq: number;
  delivery: Buffer[];
  outcome: HandlerEntry | undefined;
  forward: ForwardLog | undefined;
}

/** Entries appended together (one delivery, or a batch of outcomes), waiting for the next write. */
interface Pending {
  readonly entries: readonly JournalEntry[];
  /** Each entry's frame, in parts (a body not copied into it). */
  readonly frames: readonly Buffer[][];
  /** What goes to the file: the frames' parts, in order (a batch of outcomes is one buffer). */
  readonly bytes: readonly Buffer[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Deliveries whose handler still has to run (pending, failed or dead: a restart runs them), with the frames that say so. */
export function trackOwed(owed: Owed, entry: JournalEntry, frame: () => Buffer[], seq: number): void {
  if (entry.type === 'delivery') {
    if (entry.handler === 'pending' || entry.handler === 'failed' || entry.handler === 'dead') {
      if (!owed.has(entry.record.id)) owed.set(entry.record.id, { seq, delivery: frame(), outcome: undefined, forward: undefined });
    }
  } else if (entry.handler === 'done') {
    owed.delete(entry.id);
  } else {
    // Keep the seq of the file holding the delivery entry: that file's deletion is what matters.
    const item = owed.get(entry.id);
    if (item === undefined) return;
    item.outcome = entry;
    // The log as the journal's fold builds it (format.ts): a carried log replaces, a try adds.
    if (entry.forwardLog !== undefined) item.forward = entry.forwardLog;
    else if (entry.forward !== undefined) item.forward = withForwardAttempt(item.forward, entry.forward);
  }
}

/**
 * What rotation writes for an owed delivery: its delivery frame, then its last outcome carrying
 * the whole forward log (the outcomes before it go with the removed file). The last try stays in
 * `forward` too, so a reader from before `forwardLog` still reads what it read before.
 */
function carriedFrames(item: OwedDelivery): Buffer[] {
  if (item.outcome === undefined) return item.delivery;
  const outcome: HandlerEntry = { ...item.outcome, ...(item.forward === undefined ? {} : { forwardLog: item.forward }) };
  return [...item.delivery, ...encodeFrameParts(outcome)];
}

export interface WriterOptions {
  dir: string;
  maxBytes: number;
  keepFiles: number;
  log: (line: string) => void;
  files: JournalFile[];
  owed: Owed;
  /** The dedupe keys each file's deliveries claim, by seq: what goes to the key file when rotation removes it. */
  fileKeys: Map<number, DedupeKey[]>;
  /** Where those keys go (keys of deliveries in removed files). */
  keyFile: DedupeKeyFile;
}

/** The append side: one open file, a queue, and the group-commit loop. */
export class JournalWriter {
  readonly options: WriterOptions;
  private handle: FileHandle;
  private size: number;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #unhurried: NodeJS.Timeout | undefined;
  #closed = false;
  /** A failed write could not be cut back off the file: the next write starts a new file. */
  #damaged = false;
  /**
   * Bytes rotation carried forward into the current file (deliveries still owed). They do not count
   * toward maxBytes: with more owed than a file holds (an app down for long), counting them started
   * a new file, and copied the owed forward again, at every append.
   */
  #carriedBytes = 0;

  private constructor(options: WriterOptions, handle: FileHandle, size: number) {
    this.options = options;
    this.handle = handle;
    this.size = size;
  }

  static async open(options: WriterOptions): Promise<JournalWriter> {
    const newest = options.files.at(-1);
    if (newest?.format !== 'frames') {
      const seq = (newest?.seq ?? 0) + 1;
      options.files.push({ seq, path: join(options.dir, journalFileName(seq)), format: 'frames' });
    }
    const current = options.files.at(-1) as JournalFile;
    const handle = await open(current.path, 'a', 0o600);
    const { size } = await handle.stat();
    if (size === 0) await syncDir(options.dir); // a new file: make its name durable too
    return new JournalWriter(options, handle, size);
  }

  /** Queues a delivery; resolves once it is written and flushed (it starts a flush of its own). */
  append(entry: DeliveryEntry): Promise<void> {
    const frame = encodeFrameParts(entry);
    return this.#enqueue({ entries: [entry], frames: [frame], bytes: frame }, true);
  }

  /**
   * Queues handler outcomes (a worker's batch, encoded as one buffer); resolves once they are
   * written and flushed. Outcomes are unhurried (losing one only re-runs its handler): they do
   * not start a flush of their own, but ride along with the next delivery's, or go out after
   * UNHURRIED_DELAY_MS, so they cost no extra fdatasync.
   */
  appendOutcomes(entries: readonly HandlerEntry[]): Promise<void> {
    const { bytes, frames } = encodeBodilessFrames(entries);
    return this.#enqueue({ entries, frames: frames.map((frame) => [frame]), bytes: [bytes] }, false);
  }

  #enqueue(item: Omit<Pending, 'resolve' | 'reject'>, hurry: boolean): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The journal is closed.'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...item, resolve, reject });
      if (hurry) this.#kick();
      else this.#unhurried ??= setTimeout(() => this.#kick(), UNHURRIED_DELAY_MS);
    });
  }

  /** Starts the flush loop unless it runs; restarts it for entries queued while it was finishing. */
  #kick(): void {
    clearTimeout(this.#unhurried);
    this.#unhurried = undefined;
    if (this.#flushing !== undefined) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#queue.length > 0) this.#kick(); // unhurried entries still waiting go out now
    while (this.#flushing !== undefined) await this.#flushing;
    await this.handle.close();
    await this.options.keyFile.close();
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        const parts = batch.flatMap((p) => p.bytes);
        const bytes = parts.reduce((sum, part) => sum + part.length, 0);
        const fresh = this.size - this.#carriedBytes;
        if (this.#damaged || (fresh > 0 && fresh + bytes > this.options.maxBytes)) await this.#rotate();
        await this.#write(parts);
        this.#checkStillLinked();
        const seq = this.#currentSeq();
        for (const p of batch) {
          p.entries.forEach((entry, i) => {
            trackOwed(this.options.owed, entry, () => p.frames[i] as Buffer[], seq);
            trackKey(this.options.fileKeys, entry, seq);
          });
        }
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  /**
   * Writes all of `frames` (one writev: the bodies are not copied into one buffer first) and
   * flushes them; on failure cuts the file back so no half record remains.
   * If even that fails, the next write goes to a new file: appending after a half record would
   * bury every later one behind it (a reader stops at the first damaged frame).
   */
  async #write(frames: Buffer[]): Promise<void> {
    try {
      const { bytesWritten } = await this.handle.writev(frames);
      let written = bytesWritten;
      const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
      if (written < bytes) {
        const rest = Buffer.concat(frames); // a short write (rare): finish it from where it stopped
        while (written < bytes) written += (await this.handle.write(rest, written)).bytesWritten;
      }
      await this.handle.datasync();
      this.size += bytes;
    } catch (error) {
      await this.handle.truncate(this.size).catch(() => {
        this.#damaged = true;
      });
      throw error;
    }
  }

  /**
   * Throws when the file being written has been deleted (the journal folder or the state folder
   * removed while the listener runs): what goes into it now is gone when the process stops, so it
   * must not be acknowledged. One fstat of the open file, after the fdatasync, per write.
   */
  #checkStillLinked(): void {
    if (fstatSync(this.handle.fd).nlink > 0) return;
    const path = (this.options.files.at(-1) as JournalFile).path;
    throw new StateError(STATE_WRITE_FAILED, `The journal file ${path} was deleted while the listener ran; restart the listener to start a new journal.`, {
      hint: 'Restart the listener (Ctrl-C, then npm run step:3): it starts a new journal. Until then it answers 503 and the sender retries.',
    });
  }

  #currentSeq(): number {
    return (this.options.files.at(-1) as JournalFile).seq;
  }

  async #rotate(): Promise<void> {
    const { dir, files, keepFiles, owed, log } = this.options;
    const seq = this.#currentSeq() + 1;
    const path = join(dir, journalFileName(seq));
    await this.handle.close();
    this.handle = await open(path, 'a', 0o600);
    this.size = 0;
    this.#carriedBytes = 0;
    this.#damaged = false;
    files.push({ seq, path, format: 'frames' });
    await syncDir(dir);
    while (files.length > keepFiles) {
      const oldest = files[0] as JournalFile;
      if (!(await this.#rememberKeysOf(oldest))) break; // kept for now: its keys must not be lost with it
      files.shift();
      // Copy forward what the worker still owes before the file holding it goes.
      const carried = [...owed.values()].filter((item) => item.seq <= oldest.seq);
      if (carried.length > 0) {
        const sizeBefore = this.size;
        await this.#write(carried.flatMap(carriedFrames));
        this.#carriedBytes += this.size - sizeBefore;
        for (const item of carried) item.seq = seq;
      }
      await rm(oldest.path, { force: true });
      log(`journal: rotated; removed ${basename(oldest.path)}${carried.length > 0 ? ` (carried ${carried.length} unfinished deliveries forward)` : ''}.`);
    }
    await syncDir(dir);
  }

  /**
   * Appends the dedupe keys of `file`'s deliveries to the key file before the file goes. False
   * when they cannot be written: the journal file is then kept, and the next rotation tries again.
   */
  async #rememberKeysOf(file: JournalFile): Promise<boolean> {
    const { fileKeys, keyFile, log } = this.options;
    try {
      await keyFile.append(fileKeys.get(file.seq) ?? []);
    } catch (error) {
      log(`journal: kept ${basename(file.path)} past JOURNAL_KEEP_FILES, since its dedupe keys could not be saved: ${(error as Error).message}`);
      return false;
    }
    fileKeys.delete(file.seq);
    return true;
  }
}

/** Notes the dedupe key `entry` claims under the file (seq) it is in. */
export function trackKey(fileKeys: Map<number, DedupeKey[]>, entry: JournalEntry, seq: number): void {
  const key = dedupeKeyOfEntry(entry);
  if (key === undefined) return;
  const keys = fileKeys.get(seq);
  if (keys === undefined) fileKeys.set(seq, [key]);
  else keys.push(key);
}
