/**
 * `npm start -- --timings-json <file>`: each step's time, written after the run (the bench reads it).
 * The folder is checked before the run starts, so a typo in the path fails in a moment instead of
 * after the whole walkthrough, and a write that still fails says why with a code, not a stack trace.
 *
 * @example
 * const refusal = await timingsFileProblem(path); // undefined when its folder is there and writable
 * await writeTimings(path, result);                // throws StateError STATE_WRITE_FAILED
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CONFIG_INVALID, ConfigError, STATE_WRITE_FAILED, StateError } from '../../steps/lib/core/index.ts';
import type { WalkthroughResult } from '../walkthrough.ts';

const HINT = 'Give --timings-json a file in a folder that exists and that you can write to, e.g. --timings-json timings.json.';

/** A ConfigError when the file's folder is missing or not writable; undefined when it can be written. */
export async function timingsFileProblem(path: string): Promise<ConfigError | undefined> {
  const folder = dirname(resolve(path));
  try {
    await access(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not writable';
    return new ConfigError(CONFIG_INVALID, `--timings-json ${JSON.stringify(path)}: the folder ${folder} ${why}.`, { hint: HINT });
  }
}

/** Writes the run's step times as JSON; a failure is a StateError saying why. */
export async function writeTimings(path: string, result: Pick<WalkthroughResult, 'steps' | 'totalMs'>): Promise<void> {
  try {
    await writeFile(path, `${JSON.stringify({ steps: result.steps, totalMs: result.totalMs }, null, 2)}\n`);
  } catch (error) {
    throw new StateError(STATE_WRITE_FAILED, `Cannot write --timings-json ${JSON.stringify(path)}: ${(error as Error).message}.`, {
      cause: error,
      hint: HINT,
    });
  }
}
