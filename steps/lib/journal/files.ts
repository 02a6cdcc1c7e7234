/**
 * Reading journal files back, in either format (format 2 frames, or format 1 NDJSON from before).
 * Shared by `openJournal` (which also repairs a torn tail) and `readJournal` (which only reads).
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { NotARegularFile, notAFolder, readRegularFile, STATE_CORRUPT, StateError } from '../core/index.ts';
import { journalFileOf, type JournalEntry, type JournalFormat } from './format.ts';
import { decodeFrames, encodeFrame } from './frame.ts';
import { decodeLines } from './legacy-ndjson.ts';

export interface JournalFile {
  readonly seq: number;
  readonly path: string;
  readonly format: JournalFormat;
}

/** The journal files in `dir`, oldest first; none when the folder does not exist. */
export async function listJournalFiles(dir: string): Promise<JournalFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw notAFolder(dir, STATE_CORRUPT, '', error);
    throw error;
  }
  const files: JournalFile[] = [];
  for (const name of names) {
    const file = journalFileOf(name);
    if (file !== undefined) files.push({ ...file, path: join(dir, name) });
  }
  // Format 1 files come first at equal numbers: format 2 ones are only ever written after them.
  return files.sort((a, b) => a.seq - b.seq || (a.format === b.format ? 0 : a.format === 'ndjson' ? -1 : 1));
}

export interface ReadEntry {
  readonly entry: JournalEntry;
  /** The entry as a format-2 frame (for carrying it forward): its bytes as read, or encoded now. */
  frame(): Buffer;
}

export interface ReadFileResult {
  readonly entries: ReadEntry[];
  readonly warnings: string[];
  /** Length of the file up to the end of its last intact record: everything after it is a torn record. */
  readonly completeBytes: number;
  /** Bytes after `completeBytes` (a write cut short by a crash). */
  readonly tornBytes: number;
  /** Those bytes: a view into the file as read. */
  readonly tail: Buffer;
}

/** Every intact, well-formed entry of one file; the rest is reported in `warnings`. */
export async function readJournalFile(file: JournalFile): Promise<ReadFileResult> {
  let data: Buffer;
  try {
    data = await readRegularFile(file.path);
  } catch (error) {
    // Rotation may delete an old file between listing and reading it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], warnings: [], completeBytes: 0, tornBytes: 0, tail: Buffer.alloc(0) };
    // A pipe would be waited on forever, a device read without end: say what is in the way instead.
    if (error instanceof NotARegularFile) {
      throw new StateError(STATE_CORRUPT, `${file.path} is ${error.kind}, not a journal file.`, {
        cause: error,
        hint: `Move ${file.path} out of the journal folder: only the listener writes files named journal-*.`,
      });
    }
    throw error;
  }
  const name = basename(file.path);
  return file.format === 'frames' ? readFrames(name, data) : readLines(name, data);
}

function readFrames(name: string, data: Buffer): ReadFileResult {
  const { frames, unreadableAt, completeBytes, tail } = decodeFrames(data);
  const tornBytes = data.length - completeBytes;
  const warnings = unreadableAt.map((offset) => `${name}: skipped an unreadable record at byte ${offset}.`);
  if (tail === 'short') warnings.push(`${name}: skipped an incomplete last record (${tornBytes} bytes) left by an interrupted write.`);
  if (tail === 'damaged') {
    warnings.push(`${name}: skipped a damaged last record (${tornBytes} bytes from byte ${completeBytes}) left by an interrupted write.`);
  }
  const entries = frames.map(({ entry, bytes }) => ({ entry, frame: () => bytes }));
  return { entries, warnings, completeBytes, tornBytes, tail: data.subarray(completeBytes) };
}

function readLines(name: string, data: Buffer): ReadFileResult {
  const { entries, unreadableLines, completeBytes } = decodeLines(data);
  const tornBytes = data.length - completeBytes;
  const warnings = unreadableLines.map((line) => `${name}: skipped unreadable record on line ${line}.`);
  if (tornBytes > 0) warnings.push(`${name}: skipped an incomplete last record (${tornBytes} bytes) left by an interrupted write.`);
  const read = entries.map((entry) => ({ entry, frame: () => encodeFrame(entry) }));
  return { entries: read, warnings, completeBytes, tornBytes, tail: data.subarray(completeBytes) };
}
