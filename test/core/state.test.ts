/**
 * What `state.read` accepts: every state file is checked against the shape its step writes, and
 * one that is not fails with STATE_CORRUPT naming the file, what is wrong, and what to do.
 */
import { writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, test } from 'vitest';
import { STATE_CORRUPT, StateError } from '../../steps/lib/core/errors.ts';
import type { LegacyWebhookState, WebhookState } from '../../steps/lib/core/state.ts';
import { testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { rejection } from '../helpers/rejection.ts';

const WEBHOOK: WebhookState = {
  apiUrl: 'https://api.brackenlearning.com',
  domainkey: 15435,
  secret: 'webhook-secret-0123456789',
  subscriptions: [
    { event: 'user_create', target: 'https://abc.ngrok.app/webhooks', active: true, subscribedAt: '2025-01-01T10:00:00.000Z' },
    { event: 'module_complete', target: 'https://abc.ngrok.app/webhooks', active: false, subscribedAt: '2025-01-01T10:01:00.000Z' },
  ],
};

/** webhook.json as versions before WEBHOOK_EVENTS wrote it: one subscription at the top level. */
const LEGACY: LegacyWebhookState = {
  apiUrl: 'https://api.brackenlearning.com',
  domainkey: 15435,
  event: 'user_create',
  target: 'https://abc.ngrok.app/webhooks',
  secret: 'webhook-secret-0123456789',
  active: true,
  subscribedAt: '2025-01-01T10:00:00.000Z',
};

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

describe('state.read(name)', () => {
  test('returns undefined for a file that does not exist, and what was written for one that does', async () => {
    expect(await box.state.read('webhook')).toBeUndefined();
    await box.state.write('webhook', WEBHOOK);
    expect(await box.state.read('webhook')).toEqual(WEBHOOK);
  });

  test('still reads the single-subscription webhook.json of earlier versions, as a list of that one subscription', async () => {
    await writeFile(box.state.path('webhook.json'), JSON.stringify(LEGACY));
    const { apiUrl, domainkey, secret, event, target, active, subscribedAt } = LEGACY;
    expect(await box.state.read('webhook')).toEqual({ apiUrl, domainkey, secret, subscriptions: [{ event, target, active, subscribedAt }] });
  });

  test('still reads the oldest webhook.json, without "event": it was always user_create', async () => {
    const { event: _left, ...oldest } = LEGACY;
    await writeFile(box.state.path('webhook.json'), JSON.stringify(oldest));
    expect((await box.state.read('webhook'))?.subscriptions).toEqual([
      { event: 'user_create', target: LEGACY.target, active: true, subscribedAt: LEGACY.subscribedAt },
    ]);
  });

  const step2 = (file: string) => `Delete ${file} and run \`npm run step:2\` again (it subscribes again, with a new secret unless WEBHOOK_SECRET is set).`;
  const step3 = (file: string) => `Delete ${file}; a running \`npm run step:3\` writes it again when it starts.`;
  const step4 = (file: string) =>
    `Delete ${file} and run \`npm run step:4\` again; if the file named a test user that still exists, delete that user in Bracken yourself.`;
  test.each([
    ['webhook' as const, { ...WEBHOOK, secret: 12345 }, '"secret" is a number, not a string', step2],
    ['webhook' as const, { ...WEBHOOK, subscriptions: {} }, '"subscriptions" is an object, not an array', step2],
    [
      'webhook' as const,
      { ...WEBHOOK, subscriptions: [{ ...WEBHOOK.subscriptions[0], active: 'yes' }] },
      '"subscriptions[0].active" is a string, not a boolean',
      step2,
    ],
    ['webhook' as const, { ...LEGACY, target: undefined }, '"target" is missing', step2],
    [
      'user' as const,
      { apiUrl: 'https://api.brackenlearning.com', domainkey: 15435, userkey: '42', username: 'Test-User-ab12cd34', createdAt: '2025-01-01T10:00:00.000Z' },
      '"userkey" is a string, not a number',
      step4,
    ],
    ['user' as const, [], 'it holds an array, not an object', step4],
    [
      'listener' as const,
      { localUrl: 'http://127.0.0.1:5000/webhooks', publicUrl: null, pid: 4242, startedAt: '2025-01-01T10:00:00.000Z' },
      '"publicUrl" is null, not a string',
      step3,
    ],
    ['listener' as const, { localUrl: 'http://127.0.0.1:5000/webhooks', startedAt: '2025-01-01T10:00:00.000Z' }, '"pid" is missing', step3],
  ])('a %s file of the wrong shape is STATE_CORRUPT, saying what is wrong and what to do', async (name, contents, problem, hint) => {
    const file = box.state.path(`${name}.json`);
    await writeFile(file, JSON.stringify(contents));
    const error = await rejection(box.state.read(name));
    expect(error).toBeInstanceOf(StateError);
    expect(error.code).toBe(STATE_CORRUPT);
    expect(error.message).toBe(`${file} is not what its step writes: ${problem}.`);
    expect(error.hint).toBe(hint(file));
  });
});
