/**
 * `npm start | head -1`: head closes the pipe after the banner. The walkthrough must not die at its
 * next line with an EPIPE stack trace (against the real Bracken that would be between creating the
 * test user and deleting it): it runs to its end quietly and exits with the run's code.
 */
import { expect, test } from 'vitest';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('stdout closed after the first line: the run still completes against the sandbox, no stack trace, exit 0', async () => {
  const stateDir = await tempDir('walkthrough-closed-stdout');
  const run = startScript('scripts/walkthrough.ts', { env: { WORKBENCH_STATE_DIR: stateDir } });
  await run.waitFor(/end to end\n/, 30_000);
  run.child.stdout?.destroy(); // what head -1 does after its line

  expect(await run.exited()).toEqual({ code: 0, signal: null });
  expect(run.stderr()).not.toMatch(/EPIPE|Error|\n\s+at /);
});
