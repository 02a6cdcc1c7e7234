/**
 * What steps 2 and 4 say about a request under way when npm start is stopped (underWayLines, which
 * npm start prints from its own signal handler, or the step's handler prints when npm start has
 * none): said for that run, not for the step run alone. Checked in process while a loopback Bracken
 * holds the request, with no signal sent; the steps alone are run as processes in 02-interrupted
 * and 04-interrupted.
 */
import type { ServerResponse } from 'node:http';
import { URL } from 'node:url';
import { expect, test } from 'vitest';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { type Env, loadConfig, underWayLines } from '../../steps/lib/core/index.ts';
import { loopbackBracken, loopbackBrackenEnv } from '../helpers/loopback-bracken.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const TUNNEL = 'https://calm-otter.ngrok-free.app/webhooks';

/**
 * Runs `step` with the configuration `env(url, port)` against a loopback Bracken that holds its one
 * API request; returns underWayLines('SIGINT') while it is held, then answers `answer` and lets the step end.
 */
async function linesWhileHeld(
  env: (url: string, port: number, stateDir: string) => Env,
  step: (config: ReturnType<typeof loadConfig>) => Promise<unknown>,
  answer: string,
) {
  const held: ServerResponse[] = [];
  const bracken = await loopbackBracken((_request, response) => void held.push(response));
  const stateDir = await tempDir('npm-start-interrupted');
  const done = step(loadConfig({ env: env(bracken.url, Number(new URL(bracken.url).port), stateDir) }));
  await until(() => held.length === 1, 30_000);
  const lines = underWayLines('SIGINT');
  for (const response of held) response.setHeader('content-type', 'application/json').end(answer);
  await done;
  return { lines, stateDir, url: bracken.url };
}

const quiet = { log: () => {}, next: () => {}, inNpmStart: true } as const;
/** npm start's own sandbox, here the loopback stand-in on its port. */
const sandboxEnv = (_url: string, port: number, dir: string): Env => ({ SANDBOX_PORT: String(port), WORKBENCH_STATE_DIR: dir });

test("step 2 under npm start with a tunnel that closes with the run: the command names the tunnel's URL and the run's folder", async () => {
  const { lines, stateDir, url } = await linesWhileHeld(
    (bracken, _port, dir) => ({ ...loopbackBrackenEnv(bracken, dir), NGROK_AUTHTOKEN: 'ngrok-token-0123456789' }),
    (config) => subscribeWebhook({ ...quiet, config, target: { url: TUNNEL, source: 'the tunnel of the running listener' } }),
    '{}',
  );
  expect(lines).toEqual([
    `SIGINT: stopped while PUT ${url}/api/webhook/merge/domain/12345/event/user_create was under way, so Bracken may have subscribed ${TUNNEL} to user_create, unrecorded.`,
    `Next: run \`WEBHOOK_TARGET=${TUNNEL} WORKBENCH_STATE_DIR=${stateDir} npm run step:2\` (that tunnel closed with this run, so WEBHOOK_TARGET names its URL; it merges the same subscription and records it), then \`WORKBENCH_STATE_DIR=${stateDir} npm run step:6\` switches it off.`,
  ]);
});

test('step 2 under npm start with WEBHOOK_TARGET: the run folder, no WEBHOOK_TARGET to add, step 6 in the same folder', async () => {
  const target = 'https://hooks.example.test/webhooks';
  const { lines, stateDir } = await linesWhileHeld(
    (bracken, _port, dir) => ({ ...loopbackBrackenEnv(bracken, dir), WEBHOOK_TARGET: target }),
    (config) => subscribeWebhook({ ...quiet, config }),
    '{}',
  );
  expect(lines[1]).toBe(
    `Next: run \`WORKBENCH_STATE_DIR=${stateDir} npm run step:2\` (it merges the same subscription and records it), then \`WORKBENCH_STATE_DIR=${stateDir} npm run step:6\` switches it off.`,
  );
});

test('step 4 under npm start against the real Bracken: the user to look for, and that step 6 does not know it', async () => {
  const { lines, url } = await linesWhileHeld(
    (bracken, _port, dir) => ({ ...loopbackBrackenEnv(bracken, dir), TEST_USERNAME: 'Test-User-npmstart' }),
    (config) => createTestUser({ ...quiet, config }),
    '{"userkey":4711}',
  );
  expect(lines).toEqual([
    `SIGINT: stopped while POST ${url}/api/user/create/domain/12345 was under way, so Bracken may have created Test-User-npmstart.`,
    'Next: look for Test-User-npmstart in Bracken and delete it there: nothing records it, so step 6 would not (the next npm start picks a new name).',
  ]);
});

test('step 2 under npm start against its own sandbox: no subscription is left, as the sandbox goes with the run', async () => {
  const target = { url: 'http://127.0.0.1:1/webhooks', source: 'the listener npm start runs next' };
  const subscribed = await linesWhileHeld(sandboxEnv, (config) => subscribeWebhook({ ...quiet, config, target }), '{}');
  expect(subscribed.lines).toEqual([
    `SIGINT: stopped while PUT ${subscribed.url}/api/webhook/merge/domain/15435/event/user_create was under way; the sandbox was this run's own, so no subscription is left.`,
  ]);
});

test('step 4 under npm start against its own sandbox: no user is left, as the sandbox goes with the run', async () => {
  const created = await linesWhileHeld(sandboxEnv, (config) => createTestUser({ ...quiet, config }), '{"userkey":4711}');
  expect(created.lines).toEqual([
    `SIGINT: stopped while POST ${created.url}/api/user/create/domain/15435 was under way; the sandbox was this run's own, so no user is left.`,
  ]);
});
