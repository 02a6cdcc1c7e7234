/**
 * `npm start` against the real Bracken without --yes asks before it creates a test user. With no
 * terminal to ask on (stdin from /dev/null, a pipe, CI) it must say that is why it stopped, create no
 * user, and name the subscription step 2 left. Bracken is a loopback server.
 */
import { expect, test } from 'vitest';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TARGET = 'https://hooks.example.test/webhooks';

test('no terminal at the question: says stdin is not a terminal, creates no user, names the subscription left, exit 1', async () => {
  const bracken = await loopbackBracken((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  const stateDir = await tempDir('walkthrough-no-terminal');
  const run = startScript('scripts/walkthrough.ts', {
    env: { ...bracken.env(stateDir), WEBHOOK_TARGET: TARGET, LISTEN_PORT: '0', INSPECT_PORT: '0' },
  }); // stdin is /dev/null

  expect(await run.exited()).toEqual({ code: 1, signal: null });
  const [, runDir] = /state goes to (\S+)\.\n/.exec(run.stdout()) ?? [];
  expect(run.lines().slice(-6)).toEqual([
    'Error: npm start asks before it creates a test user in Bracken domain 12345, but stdin is not a terminal to ask on, so it stopped here. [WORKBENCH_STEP_PRECONDITION]',
    'Next: Run `npm start -- --yes` to create the user without the question.',
    '',
    `The walkthrough did not complete. Its state (journal, tokens) is in ${runDir}.`,
    `Still in Bracken at ${bracken.url}: the active subscription user_create -> ${TARGET}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${runDir} npm run step:6\`.`,
  ]);
  expect(bracken.seen).toEqual(['POST /connect/token', 'PUT /api/webhook/merge/domain/12345/event/user_create']);
  expect(run.stderr()).toBe('');
});
