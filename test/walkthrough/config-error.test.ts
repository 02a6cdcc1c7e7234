/**
 * `npm start` with a setting it cannot use: the coded error and its Next line, exit 1, as every
 * step gives it, never a stack trace.
 */
import { expect, test } from 'vitest';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

test('an invalid setting: Error with the variable and code, a Next line, exit 1, no stack trace, nothing started', async () => {
  const dir = await tempDir('walkthrough');
  const result = await runScript('scripts/walkthrough.ts', { env: { WORKBENCH_STATE_DIR: dir, HTTP_TIMEOUT_MS: 'abc' } });
  expect(result.code).toBe(1);
  expect(result.stdout).toContain(
    'Error: HTTP_TIMEOUT_MS="abc" is not valid: expected a whole number from 1 to 600000 (milliseconds). [WORKBENCH_CONFIG_INVALID]\nNext: ',
  );
  expect(result.stdout).not.toContain('Started a local Bracken sandbox');
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at /);
});
