/**
 * What a recording write leaves beside a recording when its process is killed part-way: the new
 * recording half-written in `.NAME.writing-PID`, and, between the write's two renames, the earlier
 * recording moved aside to `.NAME.old-PID` with no `NAME` at all, so the recording seems gone.
 * Hidden (a leading dot, never a recording's name) so a replay never takes them for recordings.
 *
 * Before a recording is read or written, the leftovers of processes that are no longer running are
 * dealt with: an earlier recording that was moved aside goes back where it was (the new one may be
 * half-written, the earlier one is whole), and the rest is removed. A running process's are left
 * alone: another `npm start -- --record` or test run may be writing the same name right now.
 *
 * @example
 * const next = asideFolder(dir, 'writing'); // test/fixtures/recorded/.demo.writing-4242
 * await recoverInterruptedWrites(dir);      // .demo.old-4100 of a dead pid, no demo: renamed back to demo
 */
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processIsRunning } from '../core/index.ts';

type Aside = 'writing' | 'old';

/** This process's folder beside `dir` for the new recording (`writing`) or the earlier one (`old`). */
export function asideFolder(dir: string, what: Aside, pid = process.pid): string {
  return join(dirname(dir), `.${basename(dir)}.${what}-${pid}`);
}

/** Puts back an earlier recording a killed write moved aside, and removes killed writes' folders. */
export async function recoverInterruptedWrites(dir: string): Promise<void> {
  const prefix = `.${basename(dir)}.`;
  const entries = await readdir(dirname(dir)).catch(() => [] as string[]);
  const leftovers = entries.flatMap((name) => {
    const match = name.startsWith(prefix) ? /^(writing|old)-(\d+)$/.exec(name.slice(prefix.length)) : null;
    const pid = Number(match?.[2]);
    return match === null || processIsRunning(pid) ? [] : [{ path: join(dirname(dir), name), what: match[1] as Aside }];
  });
  for (const { path, what } of leftovers) {
    const restored =
      what === 'old' &&
      (await rename(path, dir).then(
        () => true,
        () => false,
      ));
    if (!restored) await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}
