/**
 * Ctrl-C while step 4's create request is on its way: Bracken may create the user though step 4
 * never records it, and running step 4 again picks a new name. The step must say which user to
 * look for before it exits. Bracken is a loopback server that takes the request and never answers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s during the create POST names the user that may now exist in Bracken, records nothing, exit %i', async (signal, code) => {
  const bracken = await loopbackBracken(() => {}); // the create gets no answer
  const stateDir = await tempDir('step4');
  const step = startScript('steps/04-create-test-user.ts', { env: bracken.env(stateDir) });
  const [, username] = await step.waitFor(/User: (Test-User-[0-9a-z]{8}),/, 30_000);
  await until(() => bracken.seen.includes('POST /api/user/create/domain/12345'), 30_000);
  step.child.kill(signal);

  expect(await step.exited()).toEqual({ code, signal: null });
  expect(step.stderr()).toBe(
    [
      `${signal}: stopped while POST ${bracken.url}/api/user/create/domain/12345 was under way, so Bracken may have created ${username}.`,
      `Next: look for ${username} in Bracken and delete it there before you run step 4 again (it picks a new name).`,
      '',
    ].join('\n'),
  );
  expect(bracken.seen).toEqual(['POST /connect/token', 'POST /api/user/create/domain/12345']);
  expect(existsSync(join(stateDir, 'user.json'))).toBe(false);
});
