/**
 * What a real network does to a walkthrough, over loopback with no mocks: the listener is down
 * when the event fires, the sandbox restarts with a delivery pending, the token expires mid-way.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getToken } from '../../steps/01-get-token.ts';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { listen } from '../../steps/03-listen-for-webhooks.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { deleteTestUser } from '../../steps/06-delete-test-user.ts';
import { startSandbox, sandboxOptionsFromConfig } from '../../scripts/sandbox/index.ts';
import { waitForDelivery } from '../../scripts/walkthrough/wait-for-delivery.ts';
import type { TokenState } from '../../steps/lib/core/state.ts';
import { captureLog, quietStream } from '../helpers/output.ts';
import { until } from '../helpers/until.ts';
import { sandboxRun } from './helpers.ts';

const quiet = () => undefined;

describe('resilience over loopback', () => {
  it('the listener is down when the user is created: the delivery arrives once it is up', async () => {
    const { config, sandbox } = await sandboxRun();
    const deps = { config, log: quiet };
    await subscribeWebhook(deps);
    const user = await createTestUser(deps);

    // Nobody listens yet: the sandbox keeps retrying.
    await until(() => (sandbox.deliveries()[0]?.attempts ?? 0) >= 2, 5_000);
    expect(sandbox.deliveries()[0]!.status).toBe('pending');

    const listening = await listen({ ...deps, handler: quiet });
    try {
      const view = await waitForDelivery({
        feed: listening.listener.feed,
        event: 'User_Create',
        timeoutMs: 10_000,
        log: quiet,
        progress: quietStream,
        inspectorUrl: '',
        sender: () => '',
      });
      const payload = JSON.parse(view.body.toString('utf8')) as { userkey: number };
      expect(payload.userkey).toBe(user.userkey);
      await sandbox.whenIdle(5_000);
      expect(sandbox.deliveries().map((d) => d.status)).toEqual(['delivered']);
    } finally {
      await listening.close();
    }
  });

  it('a sandbox restart keeps the pending delivery, which then arrives', async () => {
    const first = await sandboxRun();
    const deps = { config: first.config, log: quiet };
    await subscribeWebhook(deps);
    await createTestUser(deps);
    await until(() => (first.sandbox.deliveries()[0]?.attempts ?? 0) >= 1, 5_000);
    const port = first.sandbox.port;
    await first.sandbox.close();

    const listening = await listen({ ...deps, handler: quiet });
    try {
      // Same port, same state folder: the store file is found again and the delivery resumes.
      const again = await startSandbox({ ...sandboxOptionsFromConfig(first.config), port });
      try {
        const view = await waitForDelivery({
          feed: listening.listener.feed,
          event: 'User_Create',
          timeoutMs: 10_000,
          log: quiet,
          progress: quietStream,
          inspectorUrl: '',
          sender: () => '',
        });
        expect(view.verdict).toBe('valid');
        await again.whenIdle(5_000);
        expect(again.deliveries().map((d) => d.status)).toEqual(['delivered']);
      } finally {
        await again.close();
      }
    } finally {
      await listening.close();
    }
  });

  it('a token that expires mid-walkthrough is refreshed (by expiry time, and after a 401)', async () => {
    const { config, sandbox } = await sandboxRun({ SANDBOX_TOKEN_LIFETIME: '1' });
    const out = captureLog();
    const deps = { config, log: out.log };
    const first = await getToken(deps);

    // 1 s tokens are inside the 30 s safety margin: step 2 must not reuse it.
    await subscribeWebhook(deps);
    const afterSubscribe = JSON.parse(await readFile(join(config.stateDir, 'token.json'), 'utf8')) as TokenState;
    expect(afterSubscribe.accessToken).not.toBe(first.accessToken);

    // A cache that claims an hour left, holding a token the sandbox has expired: the API's 401 triggers one refresh.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await writeFile(join(config.stateDir, 'token.json'), JSON.stringify({ ...afterSubscribe, expiresAt: Date.now() + 3_600_000 }));
    const user = await createTestUser(deps);
    expect(sandbox.users().map((u) => u.userkey)).toEqual([user.userkey]);
    const refreshed = JSON.parse(await readFile(join(config.stateDir, 'token.json'), 'utf8')) as TokenState;
    expect(refreshed.accessToken).not.toBe(afterSubscribe.accessToken);

    await deleteTestUser(deps);
    expect(sandbox.users()).toEqual([]);
  });
});
