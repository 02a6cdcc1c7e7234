/**
 * One way for a helper to undo what it opened (a temp folder, a child process, a sandbox): register
 * the undo here. Made inside a test (or its beforeEach), it runs when that test finishes, after the
 * file's own afterEach hooks; made in a beforeAll, it runs when the file finishes (test/setup.ts).
 * Undo steps run last-registered first, so a server is closed before the folder it writes to goes.
 *
 * `describe.concurrent` tests must not register here from inside the test body: vitest cannot tell
 * which of the running tests is current. Register in beforeAll instead.
 */
import { onTestFinished } from 'vitest';

type Undo = () => unknown;

const afterFile: Undo[] = [];

export function onCleanup(undo: Undo): void {
  try {
    onTestFinished(async () => {
      await undo();
    });
  } catch {
    // Not inside a test (a beforeAll, or module scope): keep it until the file is done.
    afterFile.push(undo);
  }
}

/** Runs what was registered outside any test, newest first; test/setup.ts calls it after each file. */
export async function runFileCleanups(): Promise<void> {
  for (const undo of afterFile.splice(0).reverse()) await undo();
}
