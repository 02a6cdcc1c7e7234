/**
 * Temp folders for bench runs (journals, sandbox stores, state folders of child steps), removed
 * when the run is done, and also when it is interrupted: `removeTempDirsSync` runs on exit.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();

/** Creates `<os tmpdir>/<prefix>XXXXXX`, runs `body` with it, and removes it afterwards. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(prefix);
  try {
    return await body(dir);
  } finally {
    await removeTempDir(dir);
  }
}

/** Creates `<os tmpdir>/<prefix>XXXXXX`, removed on exit if removeTempDir has not removed it by then. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  live.add(dir);
  return dir;
}

/** Removes a folder made by makeTempDir, and forgets it. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes every temp folder still in use; for the exit path (Ctrl-C), hence synchronous. */
export function removeTempDirsSync(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Exiting anyway (Ctrl-C): an async rm of the same folder may be racing this one.
    }
  }
  live.clear();
}
