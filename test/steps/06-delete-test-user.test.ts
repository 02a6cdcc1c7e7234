import { readFile, writeFile } from 'node:fs/promises';
import { stripVTControlCharacters } from 'node:util';
import type nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { deleteTestUser } from '../../steps/06-delete-test-user.ts';
import {
  API_CONFLICT,
  API_FORBIDDEN,
  API_SERVER_ERROR,
  API_TIMEOUT,
  STEP_PRECONDITION,
  TOKEN_INVALID_CLIENT,
  WorkbenchError,
} from '../../steps/lib/core/errors.ts';
import { describeTarget, formatError } from '../../steps/lib/core/run-step.ts';
import { openState, type UserState, type WebhookState } from '../../steps/lib/core/state.ts';
import { API, DOMAINKEY, mockApi, mockToken, T0, testWorkbench, tokenRequest, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { loopbackBracken } from '../helpers/loopback-bracken.ts';
import { captureLog } from '../helpers/output.ts';
import { runScript } from '../helpers/process.ts';
import { rejection } from '../helpers/rejection.ts';
import { tempDir } from '../helpers/temp-dir.ts';

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

/** A run expected to fail: what it printed, and what it threw. */
async function failedRun(env: Record<string, string> = {}) {
  const out = captureLog();
  const error = await rejection(deleteTestUser({ config: box.config(env), state: box.state, log: out.log, now: () => T0 }));
  return { out, error };
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

  describe('a request that fails does not stop the others', () => {
    const TWO_EVENTS: WebhookState = {
      ...WEBHOOK,
      subscriptions: [
        { event: 'user_create', target: TARGET, active: true, subscribedAt: '' },
        { event: 'module_complete', target: TARGET, active: true, subscribedAt: '' },
      ],
    };
    const MERGE_MODULE_COMPLETE = `/api/webhook/merge/domain/${DOMAINKEY}/event/module_complete`;
    const deactivate = (path: string) => mockApi(TOKEN).put(path, { target: TARGET, secret: WEBHOOK.secret, active: false });

    test.each([
      ['403', API_FORBIDDEN, `answered 403 Forbidden: (empty body)`, (i: nock.Interceptor) => i.reply(403, '')],
      ['500', API_SERVER_ERROR, `answered 500 Internal Server Error: database down`, (i: nock.Interceptor) => i.reply(500, 'database down')],
      ['timeout', API_TIMEOUT, 'got no answer within 1500 ms.', (i: nock.Interceptor) => i.delay(10_000).reply(200, {})],
    ] as const)(
      'a user delete that fails (%s) still deactivates the subscription, keeps user.json, and fails with its error',
      async (_name, code, what, answer) => {
        await box.state.write('user', USER);
        await box.state.write('webhook', WEBHOOK);
        mockToken(TOKEN);
        answer(expectDelete());
        deactivate(MERGE).reply(200, {});

        // Long enough for the token and the merge on a loaded machine (they must not time out too), short enough to wait out.
        const { out, error } = await failedRun({ HTTP_TIMEOUT_MS: '1500' });
        expect(error.code).toBe(code);
        expect(error.message).toBe(`DELETE ${API}${DELETE} ${what}`);
        expect(await box.state.read('user')).toEqual(USER);
        expect(await box.state.read('webhook')).toEqual(inactive(WEBHOOK));
        expect(out.lines.slice(2)).toEqual([
          `User: Test-User-abcd1234 (userkey 42) NOT deleted [${code}]; user.json kept.`,
          `PUT ${API}${MERGE} {target, secret, active: false}`,
          'Bracken answered: 200 {}',
          'Subscription: deactivated user_create -> https://hooks.example.test/webhooks; webhook.json kept, marked inactive.',
          'Not clean, still in Bracken: the test user Test-User-abcd1234. The state files keep it, so running step 6 again retries just that.',
        ]);
      },
    );

    test('several failures: each is reported, the rest is done, every error is thrown, and a rerun retries just those', async () => {
      await box.state.write('user', USER);
      await box.state.write('webhook', TWO_EVENTS);
      mockToken(TOKEN);
      expectDelete().reply(403, '');
      deactivate(MERGE).reply(200, {});
      deactivate(MERGE_MODULE_COMPLETE).reply(500, 'down');

      const { out, error } = await failedRun();
      expect(error).toBeInstanceOf(AggregateError);
      const errors = (error as AggregateError).errors as WorkbenchError[];
      expect(errors.map((e) => [e.code, e.message])).toEqual([
        [API_FORBIDDEN, `DELETE ${API}${DELETE} answered 403 Forbidden: (empty body)`],
        [API_SERVER_ERROR, `PUT ${API}${MERGE_MODULE_COMPLETE} answered 500 Internal Server Error: down`],
      ]);
      // What the step prints on exit 1: the usual Error and Next lines, for each failure.
      expect(stripVTControlCharacters(formatError(error)).split('\n')).toEqual([
        `Error: DELETE ${API}${DELETE} answered 403 Forbidden: (empty body) [${API_FORBIDDEN}]`,
        `Next: Client bracken-client may not do this in domainkey ${DOMAINKEY}: check that BRACKEN_DOMAINKEY belongs to this client (Bracken issues the domainkey, client_id and secret together) and that the client has the permission.`,
        `Error: PUT ${API}${MERGE_MODULE_COMPLETE} answered 500 Internal Server Error: down [${API_SERVER_ERROR}]`,
        'Next: Bracken had a problem; try again in a moment. If it keeps failing, send Bracken support the time, method and URL above.',
      ]);
      expect(out.lines).toContain(`User: Test-User-abcd1234 (userkey 42) NOT deleted [${API_FORBIDDEN}]; user.json kept.`);
      expect(out.lines).toContain(`Subscription: module_complete -> ${TARGET} NOT deactivated [${API_SERVER_ERROR}]; webhook.json keeps it active.`);
      expect(out.lines.at(-1)).toBe(
        `Not clean, still in Bracken: the test user Test-User-abcd1234; the subscription module_complete -> ${TARGET}. The state files keep them, so running step 6 again retries just those.`,
      );
      expect(await box.state.read('user')).toEqual(USER);
      expect((await box.state.read('webhook'))?.subscriptions.map((s) => [s.event, s.active])).toEqual([
        ['user_create', false],
        ['module_complete', true],
      ]);

      // The rerun sends only what failed (the token is cached): user_create's merge is not sent again.
      expectDelete().reply(200, {});
      deactivate(MERGE_MODULE_COMPLETE).reply(200, {});
      const { result } = await run();
      expect(result).toEqual({ user: 'done', webhook: 'done' });
      expect(await box.state.read('user')).toBeUndefined();
      expect(await box.state.read('webhook')).toEqual(inactive(TWO_EVENTS));
    });

    test('no token: nothing else is sent, each action is reported not sent, the state is unchanged, and the token error is the failure', async () => {
      await box.state.write('user', USER);
      await box.state.write('webhook', TWO_EVENTS);
      tokenRequest().reply(400, { error: 'invalid_client' });

      const { out, error } = await failedRun();
      expect(error).toBeInstanceOf(WorkbenchError);
      expect(error.code).toBe(TOKEN_INVALID_CLIENT);
      expect(out.lines).toContain(`User: Test-User-abcd1234 (userkey 42) NOT deleted [${TOKEN_INVALID_CLIENT}]; user.json kept.`);
      for (const event of ['user_create', 'module_complete']) {
        expect(out.lines).toContain(
          `Subscription: ${event} -> ${TARGET} NOT deactivated (not sent: no access token) [${TOKEN_INVALID_CLIENT}]; webhook.json keeps it active.`,
        );
      }
      expect(await box.state.read('user')).toEqual(USER);
      expect(await box.state.read('webhook')).toEqual(TWO_EVENTS);
    });

    test('npm run step:6 with the delete refused: deactivates the subscription anyway, prints Error and Next, exits 1', async () => {
      const bracken = await loopbackBracken((request, response) => {
        if (request.method === 'DELETE') response.writeHead(403).end();
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      const stateDir = await tempDir('step-6');
      const state = openState(stateDir);
      await state.write('user', { ...USER, apiUrl: bracken.url, domainkey: 12345 });
      await state.write('webhook', { ...WEBHOOK, apiUrl: bracken.url, domainkey: 12345 });

      const step6 = await runScript('steps/06-delete-test-user.ts', { env: bracken.env(stateDir) });
      expect(step6.code).toBe(1);
      expect(bracken.seen).toEqual([
        'POST /connect/token',
        'DELETE /api/user/delete/domain/12345/user/42',
        'PUT /api/webhook/merge/domain/12345/event/user_create',
      ]);
      expect(step6.stdout).toContain('Subscription: deactivated user_create -> https://hooks.example.test/webhooks; webhook.json kept, marked inactive.');
      expect(step6.stderr.split('\n').slice(0, 2)).toEqual([
        `Error: DELETE ${bracken.url}/api/user/delete/domain/12345/user/42 answered 403 Forbidden: (empty body) [${API_FORBIDDEN}]`,
        'Next: Client acme may not do this in domainkey 12345: check that BRACKEN_DOMAINKEY belongs to this client (Bracken issues the domainkey, client_id and secret together) and that the client has the permission.',
      ]);
      expect(await state.read('user')).toEqual({ ...USER, apiUrl: bracken.url, domainkey: 12345 });
      expect((await state.read('webhook'))?.subscriptions.map((s) => s.active)).toEqual([false]);
    });
  });
});
