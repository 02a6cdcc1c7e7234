/**
 * Ctrl-C (or SIGTERM) while step 2's PUT is on its way: Bracken may make the subscription though
 * webhook.json never records it, so step 6 would leave it active. The step must say so, and how to
 * get it recorded, before it exits. Bracken is a loopback server that takes the PUT and never answers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';

const TARGET = 'https://hooks.example.test/webhooks';
const MERGE = '/api/webhook/merge/domain/12345/event/user_create';

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s during the subscribe PUT says the subscription may exist unrecorded and how to record it, exit %i', async (signal, code) => {
  const bracken = await loopbackBracken(() => {}); // the PUT gets no answer
  const stateDir = await tempDir('step2');
  const step = startScript('steps/02-subscribe-webhook.ts', { env: { ...bracken.env(stateDir), WEBHOOK_TARGET: TARGET } });
  await until(() => bracken.seen.includes(`PUT ${MERGE}`), 30_000);
  step.child.kill(signal);

  expect(await step.exited()).toEqual({ code, signal: null });
  expect(step.stderr()).toBe(
    [
      `${signal}: stopped while PUT ${bracken.url}${MERGE} was under way, so Bracken may have subscribed ${TARGET} to user_create, unrecorded.`,
      `Next: run \`WORKBENCH_STATE_DIR=${stateDir} npm run step:2\` again (it merges the same subscription and records it), then step 6 switches it off.`,
      '',
    ].join('\n'),
  );
  expect(existsSync(join(stateDir, 'webhook.json'))).toBe(false);
});
