/**
 * Which secrets the listener verifies with: WEBHOOK_SECRET, else webhook.json's, in the current
 * shape (several subscriptions, one secret) and in the single-subscription shape earlier versions
 * wrote; a change to the file is picked up on the next request.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { openState } from '../../steps/lib/core/state.ts';
import { webhookSecrets } from '../../steps/lib/listener/secrets.ts';
import { tempDir } from '../helpers/temp-dir.ts';

async function setup(env: Record<string, string> = {}) {
  const dir = await tempDir('secrets');
  const config = loadConfig({ env: { WORKBENCH_STATE_DIR: dir, ...env } });
  const state = openState(dir);
  return { dir, state, secrets: webhookSecrets({ config, state }) };
}

describe('webhookSecrets()', () => {
  it("reads the secret of webhook.json's current shape, with several subscriptions, and WEBHOOK_PREVIOUS_SECRETS after it", async () => {
    const { state, secrets } = await setup({ WEBHOOK_PREVIOUS_SECRETS: 'older' });
    expect(await secrets()).toEqual(['older']);
    await state.write('webhook', {
      apiUrl: 'http://127.0.0.1:4010',
      domainkey: 15435,
      secret: 'current',
      subscriptions: [
        { event: 'user_create', target: 'http://127.0.0.1:5000/webhooks', active: true, subscribedAt: '' },
        { event: 'module_complete', target: 'http://127.0.0.1:5000/webhooks', active: true, subscribedAt: '' },
      ],
    });
    expect(await secrets()).toEqual(['current', 'older']);
  });

  it('still reads the single-subscription webhook.json earlier versions wrote', async () => {
    const { state, secrets } = await setup();
    const legacy = { apiUrl: 'x', domainkey: 1, event: 'user_create', target: 'x', secret: 'from-an-older-step-2', active: true, subscribedAt: 'x' };
    await writeFile(state.path('webhook.json'), JSON.stringify(legacy));
    expect(await secrets()).toEqual(['from-an-older-step-2']);
  });

  it('WEBHOOK_SECRET wins over webhook.json', async () => {
    const { state, secrets } = await setup({ WEBHOOK_SECRET: 'from-env' });
    await state.write('webhook', { apiUrl: 'x', domainkey: 1, secret: 'from-file', subscriptions: [] });
    expect(await secrets()).toEqual(['from-env']);
  });
});
