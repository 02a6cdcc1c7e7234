/**
 * One sandbox per store file. The file is named by port, and owning the port usually means owning
 * the file, but not always: `SANDBOX_HOST=::1` (or `localhost`, which may resolve to it) and the
 * default 127.0.0.1 both bind port 4010, and two such sandboxes on one WORKBENCH_STATE_DIR would
 * each rewrite `store-4010.json` over the other's users and deliveries. `<store>.lock` holds the
 * owner's pid, so the second one stops with STATE_LOCKED instead.
 *
 * @example
 * const release = await lockStore('.workbench/sandbox/store-4010.json'); // throws StateError STATE_LOCKED when taken
 * await release();
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { claimPidLock, STATE_LOCKED, StateError, writeFailed } from '../../steps/lib/core/index.ts';

/**
 * Claims `storeFile` for this process. A lock whose process is gone (a sandbox killed with SIGKILL)
 * is taken over. Returns the release function (safe to call twice).
 */
export async function lockStore(storeFile: string): Promise<() => Promise<void>> {
  const path = `${storeFile}.lock`;
  try {
    await mkdir(dirname(path), { recursive: true });
    return await claimPidLock(path, {
      held: (owner) => locked(storeFile, path, owner),
      contended: () => new StateError(STATE_LOCKED, `Could not lock the sandbox store ${storeFile}.`, { hint: `Delete ${path} if no sandbox is running.` }),
    });
  } catch (error) {
    throw error instanceof StateError ? error : cannotLock(storeFile, error);
  }
}

/** A lock that cannot be written (a full disk, a file where the folder should be): said as every failed state write is. */
function cannotLock(storeFile: string, cause: unknown): StateError {
  return writeFailed(`${storeFile}.lock`, cause);
}

function locked(storeFile: string, path: string, owner: number): StateError {
  return new StateError(STATE_LOCKED, `Another sandbox (pid ${owner}) is using the store ${storeFile}.`, {
    hint:
      'It listens on the same port on another address (SANDBOX_HOST). Use that sandbox, stop it (Ctrl-C in its terminal), ' +
      `or give this one another SANDBOX_PORT or WORKBENCH_STATE_DIR. If pid ${owner} is not a sandbox (a number reused after a restart), delete ${path}.`,
  });
}
