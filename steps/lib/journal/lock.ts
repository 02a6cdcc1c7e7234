/**
 * One writer per journal folder: `journal.lock` holds the owning listener's pid, so a second
 * `npm run step:3` on the same WORKBENCH_STATE_DIR stops with STATE_LOCKED instead of interleaving
 * records with the first.
 */
import { join } from 'node:path';
import { claimPidLock, STATE_LOCKED, StateError } from '../core/index.ts';

const LOCK_FILE = 'journal.lock';

/**
 * Claims `dir` for this process: `journal.lock` holds the owner's pid. A lock whose process is
 * gone (a listener killed with SIGKILL) is taken over. Returns the release function.
 */
export async function lockJournal(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  return claimPidLock(path, {
    held: (owner) =>
      new StateError(STATE_LOCKED, `Another listener (pid ${owner}) is writing the journal in ${dir}.`, {
        hint:
          owner === process.pid
            ? 'Close the journal that is open on this folder first, or use another folder.'
            : `Stop that listener (Ctrl-C in its terminal) first, or give this one its own WORKBENCH_STATE_DIR. If pid ${owner} is not a listener (a number reused after a restart), delete ${path}.`,
      }),
    contended: () => new StateError(STATE_LOCKED, `Could not lock the journal in ${dir}.`, { hint: `Delete ${path} if no listener is running.` }),
  });
}
