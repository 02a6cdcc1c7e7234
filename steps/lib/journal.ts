/**
 * The durable journal: every request the listener answers, and every handler outcome, appended
 * to NDJSON files under `<stateDir>/journal/` and flushed to disk (fdatasync) before the append
 * resolves. The listener awaits it before answering, so an acknowledged delivery survives a crash.
 *
 * Concurrent appends are group-committed: while one write + fdatasync is in flight, new entries
 * queue up and go out together in the next one, so throughput does not fall to one fsync per request.
 *
 * Files rotate at `maxBytes`; the oldest are deleted beyond `keepFiles`. A delivery whose handler
 * has not succeeded yet is copied forward into the new file before its old file is deleted, so
 * rotation never drops work the worker still owes.
 *
 * @example
 * const journal = await openJournal({ dir: join(config.stateDir, 'journal'), ...config.journal });
 * await journal.appendDelivery(record, 'pending'); // on disk now
 * const { deliveries } = await readJournal(dir);   // from step 5, with no listener running
 */
import { mkdir, open, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryRecord, DeliveryView, HandlerState } from './delivery.ts';
import { listJournalFiles, lockJournal, readJournalFile, type JournalFile } from './journal-files.ts';
import { encodeEntry, journalFileName, JournalFold, type JournalEntry } from './journal-format.ts';

export { JOURNAL_DIR_NAME } from './journal-format.ts';

export interface JournalOptions {
  /** `<stateDir>/journal`; created when missing. */
  dir: string;
  /** Size at which the current file is closed and a new one started (config.journal.maxBytes). */
  maxBytes: number;
  /** How many files to keep, the current one included (config.journal.keepFiles). */
  keepFiles: number;
  log?: (line: string) => void;
}

export interface Journal {
  readonly dir: string;
  /** Every delivery found when the journal was opened, oldest first, with its handler state. */
  readonly recovered: readonly DeliveryView[];
  /** What was skipped while opening (a torn last record, an unreadable line). */
  readonly warnings: readonly string[];
  /** Appends a delivery; resolves once it is on disk. */
  appendDelivery(record: DeliveryRecord, handler: HandlerState): Promise<void>;
  /** Appends what the handler did with delivery `id`; resolves once it is on disk. */
  appendOutcome(id: string, handler: 'done' | 'failed', error?: string): Promise<void>;
  /** Waits for queued appends, closes the file and releases the lock. */
  close(): Promise<void>;
}

interface Pending {
  readonly entry: JournalEntry;
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Opens (or creates) the journal in `dir`, repairing a torn last record left by a crash. */
export async function openJournal(options: JournalOptions): Promise<Journal> {
  const { dir, maxBytes, keepFiles, log = () => {} } = options;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const unlock = await lockJournal(dir);
  try {
    const files = await listJournalFiles(dir);
    const fold = new JournalFold();
    const warnings: string[] = [];
    const owed = new Map<string, { seq: number; lines: string[] }>();
    for (const file of files) {
      const result = await readJournalFile(file.path);
      warnings.push(...result.warnings);
      for (const entry of result.entries) {
        fold.add(entry);
        trackOwed(owed, entry, encodeEntry(entry), file.seq);
      }
      // Cut the torn tail off so the next append starts on a clean line.
      if (result.tornBytes > 0 && file === files.at(-1)) await truncate(file.path, result.completeBytes);
    }
    for (const warning of warnings) log(`journal: ${warning}`);
    const last = files.at(-1) ?? { seq: 1, path: join(dir, journalFileName(1)) };
    const writer = await JournalWriter.open({ dir, maxBytes, keepFiles, log, files: files.length > 0 ? files : [last], owed });
    let closing: Promise<void> | undefined;
    return {
      dir,
      recovered: fold.views(),
      warnings,
      appendDelivery: (record, handler) => writer.append({ type: 'delivery', handler, record }),
      appendOutcome: (id, handler, error) =>
        writer.append({ type: 'handler', id, handler, ...(error === undefined ? {} : { error }), at: new Date().toISOString() }),
      close: () =>
        (closing ??= (async () => {
          await writer.close();
          await unlock();
        })()),
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/** Every delivery in the journal at `dir`, oldest first; safe while a listener is writing it. */
export async function readJournal(dir: string): Promise<{ deliveries: DeliveryView[]; warnings: string[] }> {
  const fold = new JournalFold();
  const warnings: string[] = [];
  for (const file of await listJournalFiles(dir)) {
    const result = await readJournalFile(file.path);
    warnings.push(...result.warnings);
    for (const entry of result.entries) fold.add(entry);
  }
  return { deliveries: fold.views(), warnings };
}

/** Deliveries whose handler still has to run (pending or failed), with the lines that say so. */
function trackOwed(owed: Map<string, { seq: number; lines: string[] }>, entry: JournalEntry, line: string, seq: number): void {
  if (entry.type === 'delivery') {
    if (entry.handler === 'pending' || entry.handler === 'failed') {
      if (!owed.has(entry.record.id)) owed.set(entry.record.id, { seq, lines: [line] });
    }
  } else if (entry.handler === 'done') {
    owed.delete(entry.id);
  } else {
    const item = owed.get(entry.id);
    // Keep the seq of the file holding the delivery line: that file's deletion is what matters.
    if (item !== undefined) owed.set(entry.id, { seq: item.seq, lines: [item.lines[0] ?? '', line] });
  }
}

interface WriterOptions {
  dir: string;
  maxBytes: number;
  keepFiles: number;
  log: (line: string) => void;
  files: JournalFile[];
  owed: Map<string, { seq: number; lines: string[] }>;
}

/** The append side: one open file, a queue, and the group-commit loop. */
class JournalWriter {
  readonly options: WriterOptions;
  private handle: FileHandle;
  private size: number;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(options: WriterOptions, handle: FileHandle, size: number) {
    this.options = options;
    this.handle = handle;
    this.size = size;
  }

  static async open(options: WriterOptions): Promise<JournalWriter> {
    const current = options.files.at(-1) as JournalFile;
    const handle = await open(current.path, 'a', 0o600);
    const { size } = await handle.stat();
    if (size === 0) await syncDir(options.dir); // a new file: make its name durable too
    return new JournalWriter(options, handle, size);
  }

  append(entry: JournalEntry): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('The journal is closed.'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry, line: encodeEntry(entry), resolve, reject });
      this.#kick();
    });
  }

  /** Starts the flush loop unless it runs; restarts it for entries queued while it was finishing. */
  #kick(): void {
    if (this.#flushing !== undefined) return;
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing !== undefined) await this.#flushing;
    await this.handle.close();
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        const data = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        if (this.size > 0 && this.size + data.length > this.options.maxBytes) await this.#rotate();
        await this.#write(data);
        const seq = this.#currentSeq();
        for (const p of batch) trackOwed(this.options.owed, p.entry, p.line, seq);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
  }

  /** Writes all of `data` and flushes it; on failure cuts the file back so no half line remains. */
  async #write(data: Buffer): Promise<void> {
    try {
      let offset = 0;
      while (offset < data.length) offset += (await this.handle.write(data, offset)).bytesWritten;
      await this.handle.datasync();
      this.size += data.length;
    } catch (error) {
      await this.handle.truncate(this.size).catch(() => {});
      throw error;
    }
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
    files.push({ seq, path });
    await syncDir(dir);
    while (files.length > keepFiles) {
      const oldest = files.shift() as JournalFile;
      // Copy forward what the worker still owes before the file holding it goes.
      const carried = [...owed.values()].filter((item) => item.seq <= oldest.seq);
      if (carried.length > 0) {
        await this.#write(Buffer.from(carried.flatMap((item) => item.lines).join(''), 'utf8'));
        for (const item of carried) item.seq = seq;
      }
      await rm(oldest.path, { force: true });
      log(`journal: rotated; removed ${journalFileName(oldest.seq)}${carried.length > 0 ? ` (carried ${carried.length} unfinished deliveries forward)` : ''}.`);
    }
    await syncDir(dir);
  }
}

/** fsync on the folder, so a created or removed file name survives a power cut (Linux, macOS). */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder: the file data is still synced, only the name is not.
  } finally {
    await handle?.close();
  }
}
