/**
 * Issue 12's "done when" for forwarding, as a user runs it: the sandbox, the tutorial's receiver
 * as their app (with the secret from `npm run step:2 -- --print-secret`), `npm run step:3 --
 * --forward-to URL`, then step 4's User_Create: the app gets the delivery through step 3 and
 * verifies it, and the inspector shows the listener's answer and the app's.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryDetail, DeliverySummary } from '../../steps/lib/inspector/view.ts';
import { sandboxRun } from '../e2e/helpers.ts';
import { runScript, startScript } from '../helpers/process.ts';
import { startTutorialReceiver } from '../helpers/tutorial-receiver.ts';

describe('step 3 forwarding a sandbox delivery to the tutorial receiver', () => {
  it('the app gets User_Create through step 3 and verifies it; the inspector shows both answers', async () => {
    const { env } = await sandboxRun({ INSPECT_PORT: '0' });
    for (const step of ['steps/01-get-token.ts', 'steps/02-subscribe-webhook.ts']) {
      const result = await runScript(step, { env });
      expect(result.code, result.stdout + result.stderr).toBe(0);
    }
    const secret = await runScript('steps/02-subscribe-webhook.ts', { args: ['--print-secret'], env });
    expect(secret.code, secret.stderr).toBe(0);
    const receiver = await startTutorialReceiver({ secret: secret.stdout.trim() });

    const step3 = startScript('steps/03-listen-for-webhooks.ts', { args: ['--forward-to', receiver.url], env });
    const [, inspectorUrl = ''] = await step3.waitFor(/^Listening for webhooks at \S+ · inspector (\S+) · forwarding to \S+$/m, 30_000);
    const step4 = await runScript('steps/04-create-test-user.ts', { env });
    expect(step4.code, step4.stdout + step4.stderr).toBe(0);
    await step3.waitFor(/^forwarded User_Create \S+ to \S+: 200 in \d+ ms "OK the signatures match"$/m, 20_000);
    expect(await receiver.answered(1)).toEqual(['POST /webhooks 200']);

    // The log line is printed when the app answers; the run's outcome reaches the store just after it
    // (until then the inspector shows the run as `running`).
    const listed = async () => ((await (await fetch(`${inspectorUrl}/api/deliveries`)).json()) as { deliveries: DeliverySummary[] }).deliveries;
    const unfinished = (handler: string | undefined) => handler === 'pending' || handler === 'running';
    let deliveries = await listed();
    for (let tries = 0; unfinished(deliveries[0]?.handler) && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      deliveries = await listed();
    }
    const [delivery] = deliveries;
    expect(deliveries).toHaveLength(1);
    expect(delivery).toMatchObject({ event: 'User_Create', status: 200, handler: 'done', forward: { attempts: 1, status: 200 } });
    const detail = (await (await fetch(`${inspectorUrl}/api/deliveries/${delivery?.id}`)).json()) as DeliveryDetail;
    expect(JSON.parse(detail.response?.body ?? '')).toEqual({ received: true, id: delivery?.id });
    expect(detail.forwards?.recent[0]).toMatchObject({ url: receiver.url, response: { status: 200, body: 'OK the signatures match' } });
    expect(await step3.stop()).toBe(0);
  }, 90_000);
});
