/**
 * The suite's one temp folder helper. Each call makes a new, empty folder under the OS temp dir
 * (mkdtemp: unique, so two runs of the suite at once never share one) and registers its removal
 * with `onCleanup`, so no test removes its own folders and none is left behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.ts';

/** `label` names the folder after its test (`workbench-test-<label>-XXXXXX`), for whoever finds one after a crash. */
export async function tempDir(label = 'tmp'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `workbench-test-${label}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
