/**
 * Cutting a damaged end off the newest journal file, keeping its bytes.
 *
 * The listener appends to the newest file, so a damaged end has to go first: frames written after
 * it would never be read (readers stop at the first damaged frame). After a crash that end is the
 * last write, which was never acknowledged. But damage in the middle of the file (a bad sector, a
 * stray write by another program) puts acknowledged deliveries behind it, and a reader cannot tell
 * the two apart: scanning past damage for the next frame is unsafe, since a body may hold bytes
 * that look like one. So the bytes are copied, flushed, into a file of their own beside the journal
 * before the cut: nothing is lost, and the warning names the copy. No reader opens it.
 */
import { open, truncate } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { syncDir } from '../core/index.ts';
import type { JournalFile } from './files.ts';

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
