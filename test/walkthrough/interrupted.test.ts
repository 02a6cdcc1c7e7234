/**
 * Ctrl-C during `npm start` against the real Bracken: steps 2 and 4 have made a subscription and a
 * user there, and step 6 will not run. Before it exits the walkthrough must say what it leaves in
 * Bracken and the command that removes it. Bracken is a loopback server here (the walkthrough runs
 * as its own process, out of nock's reach) that answers the three calls and sends no delivery.
 */
import { expect, test } from 'vitest';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const TARGET = 'https://hooks.example.test/webhooks';

/** npm start --yes against a Bracken that answers the three calls, once it waits for the delivery (that never comes). */
async function waitingForTheDelivery() {
  const bracken = await loopbackBracken((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(request.url?.startsWith('/api/user/create/') === true ? JSON.stringify({ userkey: 4711 }) : '{}');
  });
  const stateDir = await tempDir('walkthrough');
  const run = startScript('scripts/walkthrough.ts', {
    args: ['--yes'],
    env: { ...bracken.env(stateDir), WEBHOOK_TARGET: TARGET, LISTEN_PORT: '0', INSPECT_PORT: '0' },
  });
  await run.waitFor(/## Confirm the Webhook was triggered/, 30_000);
  const [, username] = /User: (Test-User-[0-9a-z]{8}),/.exec(run.stdout()) ?? [];
  const [, runDir] = /saved in (\S+)\/user\.json/.exec(run.stdout()) ?? [];
  return { bracken, run, username, runDir };
}

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s while waiting for the delivery: says what is left in Bracken and how to remove it, exit %i', async (signal, code) => {
  const { bracken, run, username, runDir } = await waitingForTheDelivery();
  run.child.kill(signal);

  expect(await run.exited()).toEqual({ code, signal: null });
  expect(run.lines().slice(-3)).toEqual([
    `${signal}: stopped before step 6 (clean up) finished.`,
    `Still in Bracken at ${bracken.url}: the test user ${username} (userkey 4711); the active subscription user_create -> ${TARGET}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${runDir} npm run step:6\`.`,
  ]);
  expect(bracken.seen).toEqual(['POST /connect/token', 'PUT /api/webhook/merge/domain/12345/event/user_create', 'POST /api/user/create/domain/12345']);
});

test("Ctrl-C during step 4's create POST: names the user Bracken may have made, and the subscription left, exit 130", async () => {
  const bracken = await loopbackBracken((request, response) => {
    if (request.url?.startsWith('/api/user/create/') === true) return; // the create gets no answer
    response.setHeader('content-type', 'application/json');
    response.end('{}');
  });
  const stateDir = await tempDir('walkthrough');
  const run = startScript('scripts/walkthrough.ts', {
    args: ['--yes'],
    env: { ...bracken.env(stateDir), WEBHOOK_TARGET: TARGET, LISTEN_PORT: '0', INSPECT_PORT: '0' },
  });
  const [, username] = await run.waitFor(/User: (Test-User-[0-9a-z]{8}),/, 30_000);
  await until(() => bracken.seen.includes('POST /api/user/create/domain/12345'), 30_000);
  const [, runDir] = /state goes to (\S+)\.\n/.exec(run.stdout()) ?? [];
  run.child.kill('SIGINT');

  expect(await run.exited()).toEqual({ code: 130, signal: null });
  expect(run.lines().slice(-5)).toEqual([
    'SIGINT: stopped before step 6 (clean up) finished.',
    `SIGINT: stopped while POST ${bracken.url}/api/user/create/domain/12345 was under way, so Bracken may have created ${username}.`,
    `Next: look for ${username} in Bracken and delete it there: nothing records it, so step 6 would not (the next npm start picks a new name).`,
    `Still in Bracken at ${bracken.url}: the active subscription user_create -> ${TARGET}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${runDir} npm run step:6\`.`,
  ]);
  expect(run.stderr()).toBe('');
});

test('stdout closed (npm start | head), then Ctrl-C: what is left in Bracken still reaches the user, on stderr', async () => {
  const { bracken, run, username, runDir } = await waitingForTheDelivery();
  // What head does once it has its lines; the signal only once the pipe is closed, or the lines would go into it.
  await new Promise((resolve) => run.child.stdout?.once('close', resolve).destroy());
  run.child.kill('SIGINT');

  expect(await run.exited()).toEqual({ code: 130, signal: null });
  expect(run.stderr().split('\n').slice(-4)).toEqual([
    'SIGINT: stopped before step 6 (clean up) finished.',
    `Still in Bracken at ${bracken.url}: the test user ${username} (userkey 4711); the active subscription user_create -> ${TARGET}.`,
    `Next: remove them with \`WORKBENCH_STATE_DIR=${runDir} npm run step:6\`.`,
    '',
  ]);
});
