/**
 * The state folder (WORKBENCH_STATE_DIR): it can be written (a probe file written and removed, as
 * the steps write theirs), has room to spare (the journal keeps every delivery), and its files are
 * 0600: token.json and webhook.json hold a token and the webhook secret, the journal holds the
 * deliveries. The folder is created (0700) if missing, as the first step would.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFailed } from '../../steps/lib/core/index.ts';
import { type Check, fail, ok, warn } from './check.ts';

const MIB = 1024 * 1024;
/** Below this a journal or a pg-free setup soon stops: ✘. */
const FAIL_FREE = 50 * MIB;
/** Below this, ⚠. */
const WARN_FREE = 500 * MIB;

export const stateFolderCheck: Check = {
  id: 'state-folder',
  async run({ config }) {
    const dir = config.stateDir;
    const probe = join(dir, `.doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(probe, 'doctor', { mode: 0o600 });
    } catch (error) {
      const failed = writeFailed(probe, error);
      return fail(`state folder ${dir} is not writable: ${failed.message}`, failed.hint ?? 'Set WORKBENCH_STATE_DIR to a folder you can write.');
    } finally {
      await rm(probe, { force: true }).catch(() => {});
    }
    const { bavail, bsize } = await statfs(dir);
    const free = bavail * bsize;
    const exposed = await filesOpenToOthers(dir);
    const freeText = `${Math.floor(free / MIB)} MiB free`;
    const data = { dir, freeBytes: free, notPrivate: exposed.map((file) => relative(dir, file)) };
    if (exposed.length > 0) {
      const names = exposed.map((file) => relative(dir, file));
      return fail(
        `state folder ${dir}: ${names.length} file${names.length === 1 ? '' : 's'} readable by others (${names.join(', ')}); they can hold a token or the webhook secret`,
        `chmod 600 ${exposed.join(' ')}`,
        data,
      );
    }
    if (free < FAIL_FREE)
      return fail(`state folder ${dir} is nearly full: ${freeText}`, 'Free some disk space, or set WORKBENCH_STATE_DIR to a roomier disk.', data);
    if (free < WARN_FREE) return warn(`state folder ${dir}: only ${freeText}`, 'Free some disk space before the journal needs it.', data);
    return ok(`state folder ${dir} writable, ${freeText}, files 0600`, data);
  },
};

/** Files under `dir` (its subfolders too) that the group or others may read or write. */
async function filesOpenToOthers(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const { mode } = await stat(file).catch(() => ({ mode: 0 }));
    if ((mode & 0o077) !== 0) found.push(file);
  }
  return found.sort();
}
