/**
 * A lock file that holds its owner's pid: one listener per journal folder, one sandbox per store
 * file. Created with 'wx' (only one process can), it names who holds it; a lock whose process is
 * gone (killed with SIGKILL) is taken over. The callers word the refusals.
 *
 * @example
 * const release = await claimPidLock('.workbench/journal/journal.lock', { held: (pid) => ..., contended: () => ... });
 * await release();
 */
import { open, readFile, rm } from 'node:fs/promises';
import { processIsRunning } from './net.ts';

/** The errors to throw when the lock cannot be had. */
export interface PidLockRefusals<E extends Error> {
  /** A live process holds it: `owner` (this process's own pid when it already holds the lock). */
  held(owner: number): E;
  /** Three tries each found the lock taken and then gone again: another process races for it. */
  contended(): E;
}

/** Lock files this process holds: its own pid in a lock file proves nothing (a pid reused after a crash). */
const held = new Set<string>();

/**
 * Claims the lock file at `path` for this process. Errors other than the refusals (a full disk, a
 * folder that is not there) are thrown as they are, for the caller to word. Returns the release
 * function, safe to call twice.
 */
export async function claimPidLock<E extends Error>(path: string, refusals: PidLockRefusals<E>): Promise<() => Promise<void>> {
  if (held.has(path)) throw refusals.held(process.pid);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processIsRunning(owner)) throw refusals.held(owner);
      await rm(path, { force: true }); // stale: its owner is gone
      continue;
    }
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
      if (!held.delete(path)) return;
      await rm(path, { force: true });
    };
  }
  throw refusals.contended();
}
