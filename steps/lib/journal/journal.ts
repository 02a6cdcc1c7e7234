/**
 * The durable journal: every request the listener answers, and every handler outcome, appended
 * to files under `<stateDir>/journal/` (binary frames, the body as its raw bytes: frame.ts) and
 * flushed to disk (fdatasync) before the append resolves. The listener awaits it before
 * answering, so an acknowledged delivery survives a crash. Journals written in the NDJSON format
 * of earlier versions are read too (legacy-ndjson.ts).
 *
 * Concurrent appends are group-committed: while one write + fdatasync is in flight, new entries
 * queue up and go out together in the next one, so throughput does not fall to one fsync per request.
 *
 * Files rotate at `maxBytes`; the oldest are deleted beyond `keepFiles`. A delivery whose handler
 * has not succeeded yet is copied forward into the new file before its old file is deleted, so
 * rotation never drops work the worker still owes.
 *
 * @example
 * const journal = await openJournal({ dir: journalDir(config.stateDir), ...config.journal });
 * await journal.appendDelivery(record, 'pending'); // on disk now
 * const { deliveries } = await readJournal(journalDir(config.stateDir)); // step 5, no listener needed
 */
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { WorkbenchError, writeFailed } from '../core/index.ts';
import type { DeliveryRecord, DeliveryView, HandlerState } from '../delivery/index.ts';
import { listJournalFiles, readJournalFile } from './files.ts';
import { lockJournal } from './lock.ts';
import { cutDamagedTail } from './damaged-tail.ts';
import { type HandlerEntry, type HandlerRun, JOURNAL_DIR_NAME, type JournalEntry, JournalFold } from './format.ts';
import { JournalWriter, trackKey, trackOwed, type Owed } from './writer.ts';
import { type DedupeKey, DedupeKeyFile, DEFAULT_DEDUPE_RETENTION_MS } from './dedupe-keys.ts';

/** `<stateDir>/journal`: where step 3 writes the journal and step 5 reads it. */
export function journalDir(stateDir: string): string {
  return join(stateDir, JOURNAL_DIR_NAME);
}

export interface JournalOptions {
  /** `<stateDir>/journal`; created when missing. */
  dir: string;
  /** Size at which the current file is closed and a new one started (config.journal.maxBytes). */
  maxBytes: number;
  /** How many files to keep, the current one included (config.journal.keepFiles). */
  keepFiles: number;
  /** How long a delivery's dedupe key is remembered, whatever rotation does (config.journal.dedupeRetentionMs); default 7 days. */
  dedupeRetentionMs?: number;
  log?: (line: string) => void;
}

export interface Journal {
  readonly dir: string;
  /** Every delivery found when the journal was opened, oldest first, with its handler state. */
  readonly recovered: readonly DeliveryView[];
  /** What was skipped while opening (a torn last record, an unreadable line). */
  readonly warnings: readonly string[];
  /**
   * Dedupe keys of deliveries no longer in the journal (rotation removed their files), within the
   * retention, oldest first: with `recovered`, every key a sender's retry may still repeat.
   */
  readonly rememberedKeys: readonly DedupeKey[];
  /** How long dedupe keys are kept. */
  readonly dedupeRetentionMs: number;
  /** Appends a delivery, its body's bytes as they are; resolves once it is on disk. */
  appendDelivery(record: DeliveryRecord, handler: HandlerState): Promise<void>;
  /**
   * Appends what handler runs did with their deliveries (and what each run reported: its forward's
   * try), a worker's tick's worth at once: one buffer, one promise, one timestamp. Resolves once
   * they are on disk (with the next delivery, or within 50 ms).
   */
  appendOutcomes(runs: readonly HandlerRun[]): Promise<void>;
  /** Waits for queued appends, closes the file and releases the lock. */
  close(): Promise<void>;
}

/** Opens (or creates) the journal in `dir`, repairing a torn last record left by a crash. */
export async function openJournal(options: JournalOptions): Promise<Journal> {
  const { dir, maxBytes, keepFiles, dedupeRetentionMs = DEFAULT_DEDUPE_RETENTION_MS, log = () => {} } = options;
  // A full disk or a read-only folder is a coded error with what to do, not a stack trace.
  const unlock = await mkdir(dir, { recursive: true, mode: 0o700 })
    .then(() => lockJournal(dir))
    .catch((error: unknown) => {
      throw error instanceof WorkbenchError ? error : writeFailed(dir, error);
    });
  try {
    const files = await listJournalFiles(dir);
    const fold = new JournalFold();
    const warnings: string[] = [];
    const owed: Owed = new Map();
    const fileKeys = new Map<number, DedupeKey[]>();
    const remembered = await DedupeKeyFile.open({ dir, retentionMs: dedupeRetentionMs, log });
    warnings.push(...remembered.warnings);
    for (const file of files) {
      const result = await readJournalFile(file);
      warnings.push(...result.warnings);
      for (const { entry, frame } of result.entries) {
        fold.add(entry);
        trackOwed(owed, entry, () => [frame()], file.seq);
        trackKey(fileKeys, entry, file.seq);
      }
      // Cut the damaged end off, its bytes kept aside: the next append to the newest file starts on a
      // clean record, and what an older file held past its damage is not deleted with it by rotation.
      if (result.tornBytes > 0) {
        const copy = await cutDamagedTail(file, result.completeBytes, result.tail);
        // Only the newest file is written to, so only its end can be a write a crash cut short.
        const why =
          file === files.at(-1)
            ? 'after a crash they are a last write never acknowledged, and the copy can be deleted.'
            : 'this file was no longer written to, so the damage is not from a crash: they may hold acknowledged deliveries.';
        warnings.push(`${basename(file.path)}: cut those ${result.tornBytes} bytes off and kept them in ${copy}; ${why}`);
      }
    }
    // Frames read are views into whole files: keep copies of the few still owed, not the files.
    for (const item of owed.values()) item.delivery = item.delivery.map((part) => Buffer.from(part));
    for (const warning of warnings) log(`journal: ${warning}`);
    const writer = await JournalWriter.open({ dir, maxBytes, keepFiles, log, files, owed, fileKeys, keyFile: remembered.file });
    let closing: Promise<void> | undefined;
    return {
      dir,
      recovered: fold.views(),
      warnings,
      rememberedKeys: remembered.keys,
      dedupeRetentionMs,
      appendDelivery: (record, handler) => writer.append({ type: 'delivery', handler, record }),
      // Outcomes are unhurried: a lost one only means the handler runs again (at least once).
      appendOutcomes: (runs) => {
        const at = new Date().toISOString();
        return writer.appendOutcomes(runs.map((run) => handlerEntry(run, at)));
      },
      close: () =>
        (closing ??= (async () => {
          await writer.close();
          await unlock();
        })()),
    };
  } catch (error) {
    await unlock();
    throw error instanceof WorkbenchError ? error : writeFailed(dir, error);
  }
}

/** A run's entry; `at` is when it was recorded, the tick its handler finished or the next. */
function handlerEntry({ id, handler, error, report }: HandlerRun, at: string): HandlerEntry {
  return {
    type: 'handler',
    id,
    handler,
    ...(error === undefined ? {} : { error }),
    at,
    ...(report?.forward === undefined ? {} : { forward: report.forward }),
  };
}

/** Every delivery in the journal at `dir`, oldest first; safe while a listener is writing it. */
export async function readJournal(dir: string): Promise<{ deliveries: DeliveryView[]; warnings: string[] }> {
  const fold = new JournalFold();
  const { entries, warnings } = await readJournalEntries(dir);
  for (const entry of entries) fold.add(entry);
  return { deliveries: fold.views(), warnings };
}

/** Every entry in the journal at `dir`, in the order written (a delivery's bytes in its record's `body`). */
export async function readJournalEntries(dir: string): Promise<{ entries: JournalEntry[]; warnings: string[] }> {
  const entries: JournalEntry[] = [];
  const warnings: string[] = [];
  for (const file of await listJournalFiles(dir)) {
    const result = await readJournalFile(file);
    warnings.push(...result.warnings);
    for (const { entry } of result.entries) entries.push(entry);
  }
  return { entries, warnings };
}
