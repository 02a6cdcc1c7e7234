/**
 * Reading journal files back, and the lock that keeps two listeners off one journal.
 * Shared by `openJournal` (which also repairs a torn tail) and `readJournal` (which only reads).
 */
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { STATE_LOCKED, StateError, processIsRunning } from '../core/index.ts';
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

const LOCK_FILE = 'journal.lock';
/** Folders this process holds: its own pid in a lock file proves nothing (a reused pid after a crash). */
const held = new Set<string>();

/**
 * Claims `dir` for this process: `journal.lock` holds the owner's pid. A lock whose process is
 * gone (a listener killed with SIGKILL) is taken over. Returns the release function.
 */
export async function lockJournal(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  if (held.has(path)) {
    throw new StateError(STATE_LOCKED, `Another listener (pid ${process.pid}) is writing the journal in ${dir}.`, {
      hint: 'Close the journal that is open on this folder first, or use another folder.',
    });
  }
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(path);
      return async () => {
        held.delete(path);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processIsRunning(owner)) {
      throw new StateError(STATE_LOCKED, `Another listener (pid ${owner}) is writing the journal in ${dir}.`, {
        hint: 'Stop that listener (Ctrl-C in its terminal) first, or give this one its own WORKBENCH_STATE_DIR.',
      });
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new StateError(STATE_LOCKED, `Could not lock the journal in ${dir}.`, { hint: `Delete ${path} if no listener is running.` });
}
