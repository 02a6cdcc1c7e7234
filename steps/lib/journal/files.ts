/**
 * Reading journal files back.
 * Shared by `openJournal` (which also repairs a torn tail) and `readJournal` (which only reads).
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { journalFileSeq, parseEntry, type JournalEntry } from './format.ts';

export interface JournalFile {
  readonly seq: number;
  readonly path: string;
}

/** The journal files in `dir`, oldest first; none when the folder does not exist. */
export async function listJournalFiles(dir: string): Promise<JournalFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: JournalFile[] = [];
  for (const name of names) {
    const seq = journalFileSeq(name);
    if (seq !== undefined) files.push({ seq, path: join(dir, name) });
  }
  return files.sort((a, b) => a.seq - b.seq);
}

export interface ReadFileResult {
  readonly entries: JournalEntry[];
  readonly warnings: string[];
  /** Length of the file up to and including its last newline: everything after it is a torn record. */
  readonly completeBytes: number;
  /** Bytes after the last newline (a write cut short by a crash). */
  readonly tornBytes: number;
}

/** Every complete, well-formed entry of one file; the rest is reported in `warnings`. */
export async function readJournalFile(path: string): Promise<ReadFileResult> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    // Rotation may delete an old file between listing and reading it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], warnings: [], completeBytes: 0, tornBytes: 0 };
    throw error;
  }
  const name = basename(path);
  const completeBytes = data.lastIndexOf(0x0a) + 1;
  const tornBytes = data.length - completeBytes;
  const entries: JournalEntry[] = [];
  const warnings: string[] = [];
  const lines = data.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const entry = parseEntry(line);
    if (entry === undefined) warnings.push(`${name}: skipped unreadable record on line ${index + 1}.`);
    else entries.push(entry);
  });
  if (tornBytes > 0) {
    warnings.push(`${name}: skipped an incomplete last record (${tornBytes} bytes) left by an interrupted write.`);
  }
  return { entries, warnings, completeBytes, tornBytes };
}
