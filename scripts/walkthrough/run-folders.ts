/**
 * The folders `npm start` keeps each run's state in, `<stateDir>/walkthrough/<time>-<pid>`: a new
 * one per run, and only the newest few of the others. A run against the real Bracken that stopped
 * early is the exception: its user.json and webhook.json are the only record of the test user and
 * subscriptions step 6 must still remove there, so its folder is kept, however old, until they are gone.
 *
 * @example
 * const runDir = await newRunDir(config.stateDir, log); // .workbench/walkthrough/2025-01-01T12-00-00-000Z-4242
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openState, writeFailed } from '../../steps/lib/core/index.ts';
import { storeFileFor } from '../sandbox/store.ts';
import { recordedInBracken, removeCommand } from './left-in-bracken.ts';

/** How many run folders are kept whatever they hold, the new one included. */
export const KEEP_RUNS = 5;

/** Makes this run's folder under `<stateDir>/walkthrough/`, after pruning the older ones (see pruneRunDirs). */
export async function newRunDir(stateDir: string, log: (line: string) => void): Promise<string> {
  const parent = join(stateDir, 'walkthrough');
  const dir = join(parent, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  try {
    await mkdir(parent, { recursive: true, mode: 0o700 });
    await pruneRunDirs(parent, KEEP_RUNS - 1, log);
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    // A full disk, or a file where the folder should be: the coded error and what to do, not a stack trace.
    throw writeFailed(dir, error);
  }
  return dir;
}

/**
 * Removes everything in `parent` but its `keep` newest entries (by name, which starts with the
 * time), except a run folder that still records something in the real Bracken: that one is kept,
 * and a line says so and how to remove what it records.
 */
export async function pruneRunDirs(parent: string, keep: number, log: (line: string) => void): Promise<void> {
  const names = (await readdir(parent)).sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    const dir = join(parent, name);
    const note = await keptNote(dir);
    if (note === undefined) await rm(dir, { recursive: true, force: true });
    else log(note);
  }
}

/** Why the folder `dir` is kept, or undefined when it may go: a sandbox run (its sandbox went with it), a file, or nothing left. */
async function keptNote(dir: string): Promise<string | undefined> {
  if (!(await isFolder(dir))) return undefined;
  // npm start against the sandbox keeps the sandbox's store in the run folder; against Bracken there is none.
  if (await isFolder(dirname(storeFileFor(dir, 0)))) return undefined;
  const { left, unreadable } = await recordedInBracken(openState(dir));
  const remove = `Remove them with ${removeCommand(dir)}.`;
  if (left.length > 0) return `Kept ${dir}: that earlier run left ${left.join('; ')} in Bracken. ${remove}`;
  // A file that cannot be read may still name a user: kept too, to be looked at.
  if (unreadable.length > 0) return `Kept ${dir}: its ${unreadable.join(' and ')} cannot be read, and may record a test user or subscription still in Bracken.`;
  return undefined;
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
