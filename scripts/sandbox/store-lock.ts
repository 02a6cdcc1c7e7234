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
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { processIsRunning, STATE_LOCKED, STATE_WRITE_FAILED, StateError } from '../../steps/lib/core/index.ts';

/** Store files this process holds: its own pid in a lock file proves nothing (a pid reused after a crash). */
const held = new Set<string>();

/**
 * Claims `storeFile` for this process. A lock whose process is gone (a sandbox killed with SIGKILL)
 * is taken over. Returns the release function (safe to call twice).
 */
export async function lockStore(storeFile: string): Promise<() => Promise<void>> {
  const path = `${storeFile}.lock`;
  if (held.has(path)) throw locked(storeFile, path, process.pid);
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw cannotLock(storeFile, error);
  });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotLock(storeFile, error);
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processIsRunning(owner)) throw locked(storeFile, path, owner);
      await rm(path, { force: true }); // stale: its owner is gone
      continue;
    }
    try {
      await handle.writeFile(String(process.pid));
    } catch (error) {
      // A lock without its pid would be taken over by anyone: leave none behind (a full disk).
      await handle.close();
      await rm(path, { force: true });
      throw cannotLock(storeFile, error);
    }
    await handle.close();
    held.add(path);
    return async () => {
      if (!held.delete(path)) return;
      await rm(path, { force: true });
    };
  }
  throw new StateError(STATE_LOCKED, `Could not lock the sandbox store ${storeFile}.`, { hint: `Delete ${path} if no sandbox is running.` });
}

function cannotLock(storeFile: string, cause: unknown): StateError {
  return new StateError(STATE_WRITE_FAILED, `Cannot lock the sandbox store ${storeFile}: ${(cause as Error).message}.`, {
    cause,
    hint: `The folder ${dirname(storeFile)} must be one this user can write: check WORKBENCH_STATE_DIR.`,
  });
}

function locked(storeFile: string, path: string, owner: number): StateError {
  return new StateError(STATE_LOCKED, `Another sandbox (pid ${owner}) is using the store ${storeFile}.`, {
    hint:
      'It listens on the same port on another address (SANDBOX_HOST). Use that sandbox, stop it (Ctrl-C in its terminal), ' +
      `or give this one another SANDBOX_PORT or WORKBENCH_STATE_DIR. If pid ${owner} is not a sandbox (a number reused after a restart), delete ${path}.`,
  });
}
