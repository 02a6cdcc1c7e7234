/**
 * Step 3 on Postgres, where the workers forward: the line that says how to start them is a command
 * to paste, so LISTEN_FORWARD_TO is one shell word in it. A URL with `&` in it used to be printed
 * bare, and pasted it ran `npm run worker` in the background with the URL cut at the `&`.
 */
import { describe, expect, it } from 'vitest';
import { testDatabase } from '../helpers/postgres.ts';
import { startScript } from '../helpers/process.ts';

describe('npm run step:3 with DATABASE_URL and LISTEN_FORWARD_TO', () => {
  it('prints the worker command with the URL quoted as one shell word', async () => {
    const url = await testDatabase('forward_hint');
    const app = 'http://127.0.0.1:8000/hooks?a=1&b=2';
    const step3 = startScript('steps/03-listen-for-webhooks.ts', {
      env: { DATABASE_URL: url, LISTEN_FORWARD_TO: app, LISTEN_PORT: '0', INSPECT_PORT: '0', WEBHOOK_SECRET: 'k7Qm2vXw9Lp4Rt8Yz3Bn6Hc1Df5Gj0' },
    });
    const [line] = await step3.waitFor(/^The workers forward: .*$/m, 30_000);
    expect(line).toBe(`The workers forward: start them with LISTEN_FORWARD_TO='${app}' npm run worker (or -- --forward-to '${app}').`);
    expect(await step3.stop()).toBe(0);
  });
});
