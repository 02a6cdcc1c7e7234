/**
 * Cutting a damaged end off a journal file on start, keeping its bytes.
 *
 * The listener appends to the newest file, so a damaged end has to go first: frames written after
 * it would never be read (readers stop at the first damaged frame); an older file's would be deleted
 * by rotation, which carries forward only what it can read. After a crash the newest file's damaged
 * end is the last write, which was never acknowledged. But damage in the middle of a file (a bad sector, a
 * stray write by another program) puts acknowledged deliveries behind it, and a reader cannot tell
 * the two apart: scanning past damage for the next frame is unsafe, since a body may hold bytes
 * that look like one. So the bytes are copied, flushed, into a file of their own beside the journal
 * before the cut: nothing is lost, and the warning names the copy. No reader opens it.
 */
import { open, readdir, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../core/index.ts';
import type { JournalFile } from './files.ts';

/** What `cutDamagedTail` names its copies: `<journal file name>.cut-<UTC time>`. */
const COPY_PATTERN = /^journal-\d{6,}\.(?:bin|ndjson)\.cut-\d{8}T\d{9}Z$/;

/** A copy of a damaged end that is still in the journal folder (the doctor lists them). */
export interface DamagedTailCopy {
  readonly name: string;
  readonly bytes: number;
}

/** The copies in `dir`, oldest first; none when the folder does not exist. */
export async function listDamagedTailCopies(dir: string): Promise<DamagedTailCopy[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const copies: DamagedTailCopy[] = [];
  for (const name of names.filter((each) => COPY_PATTERN.test(each)).sort()) {
    copies.push({ name, bytes: (await stat(join(dir, name))).size });
  }
  return copies;
}

/**
 * Copies `tail` (the bytes from `completeBytes` to the end of `file`) to `<file>.cut-<time>`, then
 * truncates `file` to `completeBytes`. Returns the copy's file name.
 */
export async function cutDamagedTail(file: JournalFile, completeBytes: number, tail: Uint8Array, now = new Date()): Promise<string> {
  const copy = `${file.path}.cut-${now.toISOString().replace(/[-:.]/g, '')}`;
  // 'wx': never overwrite an earlier copy.
  const handle = await open(copy, 'wx', 0o600);
  try {
    await handle.writeFile(tail);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await syncDir(dirname(copy)); // the copy's name is on disk before the bytes leave the journal file
  await truncate(file.path, completeBytes);
  return basename(copy);
}
