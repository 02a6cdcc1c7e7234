/**
 * One writer per journal folder: `journal.lock` holds the owning listener's pid, so a second
 * `npm run step:3` on the same WORKBENCH_STATE_DIR stops with STATE_LOCKED instead of interleaving
 * records with the first.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { processIsRunning, STATE_LOCKED, StateError } from '../core/index.ts';

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
      try {
        await handle.writeFile(String(process.pid));
      } catch (error) {
        // A lock without its pid would be taken over by anyone: leave none behind (a full disk).
        await handle.close();
        await rm(path, { force: true });
        throw error;
      }
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
        hint: `Stop that listener (Ctrl-C in its terminal) first, or give this one its own WORKBENCH_STATE_DIR. If pid ${owner} is not a listener (a number reused after a restart), delete ${path}.`,
      });
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new StateError(STATE_LOCKED, `Could not lock the journal in ${dir}.`, { hint: `Delete ${path} if no listener is running.` });
}
