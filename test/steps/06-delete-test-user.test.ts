import { readFile, writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, test } from 'vitest';
import { deleteTestUser } from '../../steps/06-delete-test-user.ts';
import { API_CONFLICT, API_SERVER_ERROR, STEP_PRECONDITION } from '../../steps/lib/core/errors.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import type { UserState, WebhookState } from '../../steps/lib/core/state.ts';
import { API, DOMAINKEY, mockApi, mockToken, T0, testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { captureLog } from '../helpers/output.ts';
import { rejection } from '../helpers/rejection.ts';

const TOKEN = 'access-token-for-step-6-0123456789';
const DELETE = `/api/user/delete/domain/${DOMAINKEY}/user/42`;
const MERGE = `/api/webhook/merge/domain/${DOMAINKEY}/event/user_create`;
const USER: UserState = { apiUrl: API, domainkey: DOMAINKEY, userkey: 42, username: 'Test-User-abcd1234', createdAt: '2025-01-01T11:00:00.000Z' };
const TARGET = 'https://hooks.example.test/webhooks';
const WEBHOOK: WebhookState = {
  apiUrl: API,
  domainkey: DOMAINKEY,
  secret: 'recorded-webhook-secret-0123456789',
  subscriptions: [{ event: 'user_create', target: TARGET, active: true, subscribedAt: '2025-01-01T10:00:00.000Z' }],
};
/** `webhook` with every subscription switched off. */
const inactive = (webhook: WebhookState): WebhookState => ({ ...webhook, subscriptions: webhook.subscriptions.map((s) => ({ ...s, active: false })) });

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

async function run(env: Record<string, string> = {}) {
  const out = captureLog();
  const result = await deleteTestUser({ config: box.config(env), state: box.state, log: out.log, now: () => T0 });
  return { out, result };
}

/** The DELETE of the default route: bearer token, no body. */
function expectDelete(path = DELETE) {
  return mockApi(TOKEN, { body: false }).delete(path);
}

describe('step 6: clean up', () => {
  test('deletes the user, deactivates the subscription with the same target and secret, and updates the state', async () => {
    await box.state.write('user', USER);
    await box.state.write('webhook', WEBHOOK);
    mockToken(TOKEN);
    expectDelete().reply(200, { userkey: 42, username: USER.username });
    mockApi(TOKEN).put(MERGE, { target: TARGET, secret: WEBHOOK.secret, active: false }).reply(200, { target: TARGET, secret: WEBHOOK.secret, active: false });

    const { out, result } = await run();
    expect(result).toEqual({ user: 'done', webhook: 'done' });
    expect(await box.state.read('user')).toBeUndefined();
    expect(await box.state.read('webhook')).toEqual(inactive(WEBHOOK));
    expect(out.lines[0]).toBe(describeTarget(box.config()));
    expect(out.lines).toContain(`DELETE ${API}${DELETE} (BRACKEN_USER_DELETE_ROUTE)`);
    expect(out.lines).toContain('User: deleted Test-User-abcd1234 (userkey 42).');
    expect(out.lines).toContain('Subscription: deactivated user_create -> https://hooks.example.test/webhooks; webhook.json kept, marked inactive.');
    expect(out.text()).not.toContain(WEBHOOK.secret);
    expect(out.text()).not.toContain(TOKEN);
  });

  test('run twice: the second run sends no request and ends cleanly', async () => {
    await box.state.write('user', USER);
    await box.state.write('webhook', WEBHOOK);
    mockToken(TOKEN);
    expectDelete().reply(204);
    mockApi(TOKEN).put(MERGE, { target: TARGET, secret: WEBHOOK.secret, active: false }).reply(204);
    await run();

    // No interceptors now: any request would fail with "Disallowed net connect".
    const { out, result } = await run();
    expect(result).toEqual({ user: 'nothing', webhook: 'nothing' });
    expect(out.lines).toContain('User: none recorded, nothing to delete.');
    expect(out.lines).toContain('Subscription: already inactive, nothing to deactivate.');
  });

  test('every active subscription step 2 made is deactivated, each with its own merge; inactive ones are left alone', async () => {
    const webhook: WebhookState = {
      ...WEBHOOK,
      subscriptions: [
        { event: 'user_create', target: TARGET, active: true, subscribedAt: '' },
        { event: 'module_complete', target: TARGET, active: true, subscribedAt: '' },
        { event: 'module_start', target: TARGET, active: false, subscribedAt: '' },
        { event: 'course_expired', target: 'https://other.example.test/webhooks', active: true, subscribedAt: '' },
      ],
    };
    await box.state.write('webhook', webhook);
    mockToken(TOKEN);
    for (const [event, target] of [
      ['user_create', TARGET],
      ['module_complete', TARGET],
      ['course_expired', 'https://other.example.test/webhooks'],
    ]) {
      mockApi(TOKEN).put(`/api/webhook/merge/domain/${DOMAINKEY}/event/${event}`, { target, secret: WEBHOOK.secret, active: false }).reply(200, {});
    }
    const { out, result } = await run();
    expect(result).toEqual({ user: 'nothing', webhook: 'done' });
    expect(await box.state.read('webhook')).toEqual(inactive(webhook));
    expect(out.lines).toContain('Subscription: deactivated module_complete -> https://hooks.example.test/webhooks; webhook.json kept, marked inactive.');
    expect(out.lines).toContain('Subscription: deactivated course_expired -> https://other.example.test/webhooks; webhook.json kept, marked inactive.');
  });

  test('a webhook.json written by an earlier version (one subscription) is deactivated and rewritten in the current shape', async () => {
    const legacy = { apiUrl: API, domainkey: DOMAINKEY, event: 'user_create', target: TARGET, secret: WEBHOOK.secret, active: true, subscribedAt: 'then' };
    await writeFile(box.state.path('webhook.json'), JSON.stringify(legacy));
    mockToken(TOKEN);
    mockApi(TOKEN).put(MERGE, { target: TARGET, secret: WEBHOOK.secret, active: false }).reply(200, {});
    expect((await run()).result.webhook).toBe('done');
    expect(JSON.parse(await readFile(box.state.path('webhook.json'), 'utf8'))).toEqual({
      apiUrl: API,
      domainkey: DOMAINKEY,
      secret: WEBHOOK.secret,
      subscriptions: [{ event: 'user_create', target: TARGET, active: false, subscribedAt: 'then' }],
    });
  });

  test('a merge that fails keeps the ones already deactivated marked so, and the rest active', async () => {
    const webhook: WebhookState = {
      ...WEBHOOK,
      subscriptions: [
        { event: 'user_create', target: TARGET, active: true, subscribedAt: '' },
        { event: 'module_complete', target: TARGET, active: true, subscribedAt: '' },
      ],
    };
    await box.state.write('webhook', webhook);
    mockToken(TOKEN);
    mockApi(TOKEN).put(MERGE, { target: TARGET, secret: WEBHOOK.secret, active: false }).reply(200, {});
    mockApi(TOKEN).put(`/api/webhook/merge/domain/${DOMAINKEY}/event/module_complete`).reply(500, 'down');
    const error = await rejection(run());
    expect(error.code).toBe(API_SERVER_ERROR);
    expect((await box.state.read('webhook'))?.subscriptions.map((s) => [s.event, s.active])).toEqual([
      ['user_create', false],
      ['module_complete', true],
    ]);
  });

  test('with no state at all there is nothing to do and no request', async () => {
    const { out, result } = await run();
    expect(result).toEqual({ user: 'nothing', webhook: 'nothing' });
    expect(out.lines).toContain('Subscription: none recorded, nothing to deactivate.');
  });

  test('a 404 on delete means already gone: fine, said so, and user.json is removed', async () => {
    await box.state.write('user', USER);
    mockToken(TOKEN);
    expectDelete().reply(404, '');
    const { out, result } = await run();
    expect(result).toEqual({ user: 'gone', webhook: 'nothing' });
    expect(out.lines).toContain('User: Test-User-abcd1234 was already gone (404), which is fine.');
    // The default route is a guess, so on the real Bracken the step asks for a check.
    expect(out.lines).toContain(
      "Check: the delete route is the workbench's guess, so a 404 may mean the route is wrong; confirm in Bracken that Test-User-abcd1234 is gone.",
    );
    expect(await box.state.read('user')).toBeUndefined();
  });

  test('a 410 Gone on delete means already gone too: said with its status, no route check, and user.json is removed', async () => {
    await box.state.write('user', USER);
    mockToken(TOKEN);
    expectDelete().reply(410, '');
    const { out, result } = await run();
    expect(result).toEqual({ user: 'gone', webhook: 'nothing' });
    expect(out.lines).toContain('User: Test-User-abcd1234 was already gone (410), which is fine.');
    // A route that does not exist answers 404, not 410: no need to doubt the route.
    expect(out.text()).not.toContain('Check:');
    expect(await box.state.read('user')).toBeUndefined();
  });

  test('a 410 Gone on a merge means the subscription is gone: nothing to deactivate, marked inactive', async () => {
    await box.state.write('webhook', WEBHOOK);
    mockToken(TOKEN);
    mockApi(TOKEN).put(MERGE, { target: TARGET, secret: WEBHOOK.secret, active: false }).reply(410, '');
    const { out, result } = await run();
    expect(result).toEqual({ user: 'nothing', webhook: 'gone' });
    expect(out.lines).toContain('Subscription: user_create gone (410), nothing to deactivate; webhook.json kept, marked inactive.');
    expect(await box.state.read('webhook')).toEqual(inactive(WEBHOOK));
  });

  test('BRACKEN_USER_DELETE_ROUTE is followed, values URL-encoded', async () => {
    await box.state.write('user', { ...USER, username: 'Test User/1' });
    mockToken(TOKEN);
    mockApi(TOKEN, { body: false }).post('/api/user/Test%20User%2F1/delete').reply(200, {});
    const { result } = await run({ BRACKEN_USER_DELETE_ROUTE: 'POST /api/user/{username}/delete' });
    expect(result.user).toBe('done');
  });

  test('a 500 on delete fails and keeps user.json, so nothing is forgotten', async () => {
    await box.state.write('user', USER);
    mockToken(TOKEN);
    expectDelete().reply(500, 'database down');
    const error = await rejection(run());
    expect(error.code).toBe(API_SERVER_ERROR);
    expect(error.message).toBe(`DELETE ${API}${DELETE} answered 500 Internal Server Error: database down`);
    expect(await box.state.read('user')).toEqual(USER);
  });

  test('a 409 on delete fails, keeps user.json, and its Next line does not speak of creating', async () => {
    await box.state.write('user', USER);
    mockToken(TOKEN);
    expectDelete().reply(409, '{"title":"User has open enrolments"}');
    const error = await rejection(run());
    expect(error.code).toBe(API_CONFLICT);
    expect(error.hint).toBe('Bracken says this clashes with something that already exists; the answer above says what.');
    expect(await box.state.read('user')).toEqual(USER);
  });

  test('a 405 on delete points at BRACKEN_USER_DELETE_ROUTE', async () => {
    await box.state.write('user', USER);
    mockToken(TOKEN);
    expectDelete().reply(405);
    const error = await rejection(run());
    expect(error.hint).toContain('set BRACKEN_USER_DELETE_ROUTE in .env');
  });

  test('state from another Bracken or domain stops the step before any request and is left alone', async () => {
    const elsewhere = { ...USER, domainkey: 999 };
    await box.state.write('user', elsewhere);
    const error = await rejection(run());
    expect(error.code).toBe(STEP_PRECONDITION);
    expect(error.message).toBe(`user.json belongs to ${API} (domainkey 999), not to ${API} (domainkey ${DOMAINKEY}).`);
    expect(await box.state.read('user')).toEqual(elsewhere);
  });
});
