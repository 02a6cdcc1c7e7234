/**
 * The git-ignored state folder (`.workbench/` by default, WORKBENCH_STATE_DIR to move it):
 * small JSON files that carry results from one step to the next. Files are written atomically
 * (temp file + rename) with mode 0600 because some hold a token or a webhook secret.
 *
 * @example
 * const state = openState(config.stateDir);
 * await state.write('user', { userkey: 1, username: 'Test-User-ab12' });
 * const user = await state.read<{ userkey: number }>('user');
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { STATE_CORRUPT, StateError } from './errors.ts';

/** The names of the state files the steps share, and what each holds. */
export const STATE_FILES = {
  /** Cached access token (step 1). */
  token: 'token.json',
  /** The subscription: target, secret, domainkey, event, active (steps 2 and 6). */
  webhook: 'webhook.json',
  /** The running listener's local and public URLs (step 3). */
  listener: 'listener.json',
  /** The test user created by step 4, deleted by step 6. */
  user: 'user.json',
} as const;

export type StateName = keyof typeof STATE_FILES;

export interface State {
  readonly dir: string;
  /** Absolute path of a file in the state folder. */
  path(file: string): string;
  /** The parsed file, or undefined when it does not exist. Throws StateError when it is not JSON. */
  read<T>(name: StateName): Promise<T | undefined>;
  write(name: StateName, value: unknown): Promise<void>;
  /** Removes the file; fine when it is already gone. */
  remove(name: StateName): Promise<void>;
}

export function openState(dir: string): State {
  const path = (file: string) => join(dir, file);
  return {
    dir,
    path,
    async read<T>(name: StateName): Promise<T | undefined> {
      const file = path(STATE_FILES[name]);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StateError(STATE_CORRUPT, `Cannot read ${file}: ${(error as Error).message}`, { cause: error });
      }
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new StateError(STATE_CORRUPT, `${file} is not valid JSON.`, {
          cause: error,
          hint: `Delete ${file} and run the step that writes it again.`,
        });
      }
    },
    async write(name: StateName, value: unknown): Promise<void> {
      await writeFileAtomic(path(STATE_FILES[name]), `${JSON.stringify(value, null, 2)}\n`);
    },
    async remove(name: StateName): Promise<void> {
      await rm(path(STATE_FILES[name]), { force: true });
    },
  };
}

/** Writes `data` to `file` through a temp file and a rename, so a reader never sees half a file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, data, { mode: 0o600 });
  await rename(temp, file);
}
