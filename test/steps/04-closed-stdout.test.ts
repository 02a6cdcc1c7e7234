/**
 * `npm run step:4 | head -1`: head closes the pipe after one line, and the step's next line meets
 * EPIPE. Bracken has created the user by then; the step must still record it in user.json (so step 6
 * can delete it) and exit 0, not die with a stack trace. Bracken is a loopback server that holds its
 * answer until the test has closed the step's stdout.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

test('stdout closed while the create POST is under way: the user is still recorded, no stack trace, exit 0', async () => {
  let held: ServerResponse | undefined;
  const bracken = await loopbackBracken((_request, response) => {
    held = response;
  });
  const stateDir = await tempDir('step4-closed-stdout');
  const step = startScript('steps/04-create-test-user.ts', { env: bracken.env(stateDir) });
  const [, username] = await step.waitFor(/User: (Test-User-[0-9a-z]{8}),/, 30_000);
  await until(() => held !== undefined, 30_000);
  step.child.stdout?.destroy(); // what head does after its line
  held?.setHeader('content-type', 'application/json');
  held?.end(JSON.stringify({ userkey: 4711 }));

  expect(await step.exited()).toEqual({ code: 0, signal: null });
  expect(step.stderr()).toBe('');
  const recorded = JSON.parse(await readFile(join(stateDir, 'user.json'), 'utf8')) as unknown;
  expect(recorded).toMatchObject({ username, userkey: 4711, domainkey: 12345, apiUrl: bracken.url });
});
