/**
 * What step 4 says about a request under way when npm start is stopped (underWayLines, which
 * npm start prints from its own signal handler, or the step's handler prints when npm start has
 * none): said for that run, not for the step run alone. Checked in process while a loopback Bracken
 * holds the request, with no signal sent; the step alone is run as a process in 04-interrupted.
 */
import type { ServerResponse } from 'node:http';
import { URL } from 'node:url';
import { expect, test } from 'vitest';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { type Env, loadConfig, underWayLines } from '../../steps/lib/core/index.ts';
import { loopbackBracken, loopbackBrackenEnv } from '../helpers/loopback-bracken.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

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

test('step 4 under npm start against its own sandbox: no user is left, as the sandbox goes with the run', async () => {
  const sandboxEnv = (_url: string, port: number, dir: string): Env => ({ SANDBOX_PORT: String(port), WORKBENCH_STATE_DIR: dir });
  const created = await linesWhileHeld(sandboxEnv, (config) => createTestUser({ ...quiet, config }), '{"userkey":4711}');
  expect(created.lines).toEqual([
    `SIGINT: stopped while POST ${created.url}/api/user/create/domain/15435 was under way; the sandbox was this run's own, so no user is left.`,
  ]);
});
