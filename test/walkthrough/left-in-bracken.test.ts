/**
 * `npm start` against the real Bracken (nock) when it stops after step 4: the test user and the
 * subscription are still in Bracken, and the run's state is in its own folder, so a plain
 * `npm run step:6` would not see them. The closing lines must say what is left and the exact
 * command that removes it.
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runWalkthrough } from '../../scripts/walkthrough.ts';
import { API, CLIENT_ID, DOMAINKEY, mockApi, mockToken } from '../helpers/bracken-mocks.ts';
import { captureLog, quietStream } from '../helpers/output.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const TOKEN = 'walkthrough-token-0123456789abcdef';
const TARGET = 'https://hooks.example.test/webhooks';

test('a walkthrough on the real Bracken that stops after creating the user says what is left there and how to remove it', async () => {
  const stateDir = await tempDir('walkthrough');
  const runDir = join(stateDir, 'run');
  const env = {
    BRACKEN_CLIENT_ID: CLIENT_ID,
    BRACKEN_CLIENT_SECRET: 'client-secret-0123456789abcdef',
    BRACKEN_DOMAINKEY: String(DOMAINKEY),
    WORKBENCH_STATE_DIR: stateDir,
    WEBHOOK_TARGET: TARGET,
    LISTEN_PORT: '0',
    INSPECT_PORT: '0',
  };
  mockToken(TOKEN);
  mockApi(TOKEN)
    .put(`/api/webhook/merge/domain/${DOMAINKEY}/event/user_create`, (body: { target: string; active: boolean }) => body.target === TARGET && body.active)
    .reply(200, {});
  mockApi(TOKEN)
    .post(`/api/user/create/domain/${DOMAINKEY}`)
    .reply(200, (_uri, body) => ({ userkey: 4711, username: (body as { username: string }).username }));
  const out = captureLog();

  // No delivery comes (nothing sends one): the wait fails after 200 ms, before step 6.
  const result = await runWalkthrough({ env, runDir, yes: true, deliveryTimeoutMs: 200, log: out.log, progress: quietStream });

  expect(result.ok).toBe(false);
  expect(result.steps.map((s) => s.name)).toEqual(['token', 'subscribe', 'listen', 'create-user', 'wait']);
  const username = /User: (Test-User-[0-9a-z]{8}),/.exec(out.text())?.[1];
  expect(out.lines.slice(-3)).toEqual([
    `The walkthrough did not complete. Its state (journal, tokens) is in ${runDir}.`,
    `Still in Bracken at ${API}: the test user ${username} (userkey 4711); the active subscription user_create -> ${TARGET}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${runDir} npm run step:6\`.`,
  ]);
});
