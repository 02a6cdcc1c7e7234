/**
 * "Step by step works too": the sandbox, `npm run step:3` in its own process, then steps 1, 2, 4,
 * 5, 6 each as a separate process, in order, as the README's three terminals run them (terminal 2's
 * listener starting while terminal 3 runs step 1).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript, startScript } from '../helpers/process.ts';
import { sandboxRun } from './helpers.ts';

describe('the steps as separate processes against a running sandbox', () => {
  it('step 3 receives the User_Create delivery and step 5 verifies it', async () => {
    const { env, stateDir, sandbox } = await sandboxRun();

    // Terminal 2 starts the listener while terminal 3 gets a token: the two processes start side by side.
    const listener = startScript('steps/03-listen-for-webhooks.ts', { env });
    const step1 = await runScript('steps/01-get-token.ts', { env });
    expect(step1.code, step1.stdout + step1.stderr).toBe(0);
    expect(step1.stdout).toContain(`Using the local sandbox at ${sandbox.url}`);

    await listener.waitFor(new RegExp(`Listening for webhooks at http://127\\.0\\.0\\.1:${env.LISTEN_PORT}/webhooks`));
    await access(join(stateDir, 'listener.json'));

    // Step 2 subscribes the running listener; step 3 picks up the secret step 2 records while it runs.
    const step2 = await runScript('steps/02-subscribe-webhook.ts', { env });
    expect(step2.code, step2.stdout + step2.stderr).toBe(0);
    expect(step2.stdout).toContain(`Target: http://127.0.0.1:${env.LISTEN_PORT}/webhooks`);

    const step4 = await runScript('steps/04-create-test-user.ts', { env });
    expect(step4.code, step4.stdout + step4.stderr).toBe(0);
    // The delivery shows in the listener's terminal...
    await listener.waitFor(/POST \/webhooks 200 valid.*User_Create/);

    // ...and step 5 verifies the captured bytes.
    const step5 = await runScript('steps/05-verify-delivery.ts', { env });
    expect(step5.code, step5.stdout + step5.stderr).toBe(0);

    const step6 = await runScript('steps/06-delete-test-user.ts', { env });
    expect(step6.code, step6.stdout + step6.stderr).toBe(0);
    expect(sandbox.users()).toEqual([]);
    expect(sandbox.subscriptions().map((s) => s.active)).toEqual([false]);

    // Ctrl-C (SIGTERM here) stops step 3 cleanly and removes listener.json.
    expect(await listener.stop()).toBe(0);
    await expect(access(join(stateDir, 'listener.json'))).rejects.toThrow(/ENOENT/);
    // Six steps as processes, each a tsx start: ~17 s on a quiet machine, over 30 s at a load of 15.
  }, 90_000);

  it('a step says how to start the sandbox when it is not running', async () => {
    const { env, sandbox } = await sandboxRun();
    await sandbox.close();
    const step1 = await runScript('steps/01-get-token.ts', { env });
    expect(step1.code).toBe(1);
    expect(step1.stdout + step1.stderr).toContain('npm run sandbox');
    expect(step1.stdout + step1.stderr).toContain('npm start');
  });
});
