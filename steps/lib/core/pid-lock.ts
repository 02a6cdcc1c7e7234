/**
 * A lock file that holds its owner's pid: one listener per journal folder, one sandbox per store
 * file. It names who holds it; a lock whose process is gone (killed with SIGKILL) is taken over.
 * The callers word the refusals.
 *
 * Exactly one process holds it, however many claim it at once, because no step judges a file and
 * then acts on it by name unguarded:
 * - a lock is born whole: the pid goes into a file of the claimant's own, which is then linked into
 *   place (`link` fails if the lock exists), so no claimant ever reads an empty lock and takes it
 *   for a stale one;
 * - a dead owner's lock is taken over by one claimant only: it first links the lock to a marker
 *   named after the lock file's inode (`<lock>.takeover-<inode>`; only one link of that name can be
 *   made), checks that what it marked is still that dead owner's file, and only then renames its
 *   own file over it. A second claimant that read the same dead pid finds the marker, waits, and
 *   reads the lock again: by then it names the live winner.
 *
 * @example
 * const release = await claimPidLock('.workbench/journal/journal.lock', { held: (pid) => ..., contended: () => ... });
 * await release();
 */
import { randomUUID } from 'node:crypto';
import { link, open, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NONBLOCKING_READ } from './file-kind.ts';
import { processIsRunning } from './net.ts';

/** The errors to throw when the lock cannot be had. */
export interface PidLockRefusals<E extends Error> {
  /** A live process holds it: `owner` (this process's own pid when it already holds the lock). */
  held(owner: number): E;
  /** Every try found the lock taken and then gone again, or its takeover under way: another process races for it. */
  contended(): E;
}

/** Tries before `contended`, and the wait after a try that found another claimant's takeover under way. */
const ATTEMPTS = 10;
const TAKEOVER_WAIT_MS = 20;

/** Lock files this process holds or is claiming: its own pid in a lock file proves nothing (a pid reused after a crash). */
const held = new Set<string>();

/**
 * Claims the lock file at `path` for this process. Errors other than the refusals (a full disk, a
 * folder that is not there) are thrown as they are, for the caller to word. Returns the release
 * function, safe to call twice.
 */
export async function claimPidLock<E extends Error>(path: string, refusals: PidLockRefusals<E>): Promise<() => Promise<void>> {
  if (held.has(path)) throw refusals.held(process.pid);
  // Marked before the first await: a second claim from this process meanwhile is refused, not raced.
  held.add(path);
  try {
    await claim(path, refusals);
  } catch (error) {
    held.delete(path);
    throw error;
  }
  return async () => {
    if (!held.delete(path)) return;
    await rm(path, { force: true });
  };
}

async function claim<E extends Error>(path: string, refusals: PidLockRefusals<E>): Promise<void> {
  // Unique per claim, so that two claims never share it; removed whatever happens (after a link, the lock keeps its own name).
  const mine = `${path}.${process.pid}-${randomUUID()}.tmp`;
  try {
    await writeFile(mine, String(process.pid), { flag: 'wx', mode: 0o600 });
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      if (await linkedInPlace(mine, path)) return;
      const found = await readLock(path);
      if (found === undefined) continue; // released between the two: try again
      if (isLive(found.owner)) throw refusals.held(found.owner);
      const takeover = await takeOver(path, found, mine);
      if (takeover === 'taken') return;
      if (takeover === 'under way') await sleep(TAKEOVER_WAIT_MS);
    }
    throw refusals.contended();
  } finally {
    await rm(mine, { force: true });
  }
}

/** Creates the lock with its content in one step; false when a lock is already there. */
async function linkedInPlace(mine: string, path: string): Promise<boolean> {
  try {
    await link(mine, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

interface LockFile {
  /** The file's inode: which lock this is, not only whose (a pid can be reused). */
  readonly inode: number;
  /** The pid it names; NaN for an empty or unreadable lock (left by an older version, or edited by hand). */
  readonly owner: number;
}

/** The lock at `path`, its inode and content read through one handle so they belong together; undefined when there is none. */
async function readLock(path: string): Promise<LockFile | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // Not waiting for a writer, should the lock be a named pipe (made by hand): it then reads as empty.
    handle = await open(path, NONBLOCKING_READ);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino } = await handle.stat();
    return { inode: ino, owner: Number((await handle.readFile('utf8')).trim()) };
  } finally {
    await handle.close();
  }
}

/** Whether `owner` is another process that is running (this process's pid in a lock it does not hold was a previous process's). */
function isLive(owner: number): boolean {
  return Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processIsRunning(owner);
}

/**
 * Replaces the dead owner's lock `stale` with `mine`, unless another claimant is doing so ('under
 * way') or the lock changed since it was read ('changed'): either way the caller reads it again.
 */
async function takeOver(path: string, stale: LockFile, mine: string): Promise<'taken' | 'under way' | 'changed'> {
  const marker = `${path}.takeover-${stale.inode}`;
  try {
    await link(path, marker);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'under way';
    if (code === 'ENOENT') return 'changed';
    throw error;
  }
  try {
    // The marker is a second name for whatever lock was at `path` when it was made. Only if that is
    // the dead owner's file (its inode, and still no live owner) does the marker guard it: every
    // other claimant of that file needs the same marker name.
    const marked = await readLock(marker);
    if (marked === undefined || marked.inode !== stale.inode || isLive(marked.owner)) return 'changed';
    await rename(mine, path);
    return 'taken';
  } finally {
    await rm(marker, { force: true });
  }
}
