import { readdir, readFile } from 'node:fs/promises';
import type nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { API_BAD_RESPONSE, API_CONFLICT, API_TIMEOUT, ApiError, STEP_PRECONDITION } from '../../steps/lib/core/errors.ts';
import { generatePassword, generateUsername, PASSWORD_CLASSES, PASSWORD_LENGTH } from '../../steps/lib/core/generate.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import type { UserState, WebhookState } from '../../steps/lib/core/state.ts';
import { API, DOMAINKEY, mockApi, mockToken, T0, testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { captureLog } from '../helpers/output.ts';
import { rejection } from '../helpers/rejection.ts';

const CREATE = `/api/user/create/domain/${DOMAINKEY}`;
const TOKEN = 'access-token-for-step-4-0123456789';

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

/** Expects one create POST with exactly {username, password}; answers with `reply(body)`. */
function expectCreate(reply: (sent: { username: string; password: string }) => unknown, status = 200) {
  const sent: { username: string; password: string }[] = [];
  mockApi(TOKEN)
    .post(CREATE, (body: { username: string; password: string }) => {
      sent.push(body);
      return Object.keys(body).sort().join() === 'password,username' && typeof body.username === 'string' && typeof body.password === 'string';
    })
    .reply(status, (_uri, body) => JSON.stringify(reply(body as { username: string; password: string })));
  return sent;
}

async function run(env: Record<string, string> = {}) {
  const out = captureLog();
  const record = await createTestUser({ config: box.config(env), state: box.state, log: out.log, now: () => T0 });
  return { out, record };
}

/** Everything a user can see afterwards: the output and every file in the state folder. */
async function visible(out: { text(): string }): Promise<string> {
  const files = await readdir(box.dir);
  const contents = await Promise.all(files.map((file) => readFile(box.state.path(file), 'utf8')));
  return [out.text(), ...contents].join('\n');
}

describe('step 4: create the test user', () => {
  test('POSTs a unique Test-User-<suffix> and a strong password, records the user without the password', async () => {
    mockToken(TOKEN);
    const sent = expectCreate((body) => ({ user: { userkey: 4711, username: body.username, password: body.password } }));
    const { out, record } = await run();

    const [body] = sent;
    if (body === undefined) throw new Error('no request');
    expect(body.username).toMatch(/^Test-User-[0-9a-z]{8}$/);
    expect(body.password).toHaveLength(PASSWORD_LENGTH);
    const expected: UserState = { apiUrl: API, domainkey: DOMAINKEY, userkey: 4711, username: body.username, createdAt: '2025-01-01T12:00:00.000Z' };
    expect(record).toEqual(expected);
    expect(await box.state.read('user')).toEqual(expected);

    expect(out.lines[0]).toBe(describeTarget(box.config()));
    expect(out.lines).toContain(`User: ${body.username}, with a random 28-character password (not printed, not stored)`);
    expect(out.lines).toContain(`Created: ${body.username} (userkey 4711), saved in ${box.state.path('user.json')}.`);
    // No webhook.json: nothing will be sent, and the step says so instead of promising a delivery.
    expect(out.lines).toContain(
      'Subscription: none (no webhook.json: step 2 has not subscribed), so no User_Create webhook will be sent; npm run step:2 subscribes.',
    );
    expect(out.lines.slice(-2)).toEqual([
      `No User_Create webhook will be sent for ${body.username}, so step 5 has nothing to verify.`,
      'Next: npm run step:2 to subscribe, then npm run step:6 and this step again.',
    ]);
    expect(await visible(out)).not.toContain(body.password);
    expect(out.text()).not.toContain(TOKEN); // token.json holds it (0600), the output does not
  });

  test('two runs use different usernames and passwords', async () => {
    mockToken(TOKEN);
    const first = expectCreate(() => ({ userkey: 1 }));
    await run();
    await box.state.remove('user');
    const second = expectCreate(() => ({ userkey: 2 }));
    await run();
    expect(second[0]?.username).not.toBe(first[0]?.username);
    expect(second[0]?.password).not.toBe(first[0]?.password);
  });

  test('a 409 for a generated name does not tell the user to unset TEST_USERNAME, which is not set', async () => {
    mockToken(TOKEN);
    const sent = expectCreate(() => ({ title: 'Conflict' }), 409);
    const error = await rejection(run());
    expect(error.code).toBe(API_CONFLICT);
    expect(error.hint).toBe(
      `Bracken says a user called ${sent[0]?.username} already exists, though step 4 made that name up at random: run step 4 again for another name; if it keeps happening, the answer above says what Bracken means.`,
    );
  });

  test('TEST_USERNAME is used as the username; a 409 says how to get a unique one', async () => {
    mockToken(TOKEN);
    const sent = expectCreate(() => ({ title: 'Conflict' }), 409);
    const error = await rejection(run({ TEST_USERNAME: 'Test-User' }));
    expect(sent[0]?.username).toBe('Test-User');
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(API_CONFLICT);
    expect(error.hint).toBe('A user called Test-User already exists: unset TEST_USERNAME in .env for a unique name, or delete that user first.');
    expect(await box.state.read('user')).toBeUndefined();
  });

  test('a userkey at the top level or as a string of digits is accepted', async () => {
    mockToken(TOKEN);
    expectCreate(() => ({ userkey: '88', username: 'x' }));
    expect((await run()).record.userkey).toBe(88);
  });

  test('an answer without a userkey is API_BAD_RESPONSE, records nothing and does not print the password', async () => {
    mockToken(TOKEN);
    const sent = expectCreate((body) => ({ ok: true, echo: body.password }));
    const out = captureLog();
    const error = await rejection(createTestUser({ config: box.config(), state: box.state, log: out.log, now: () => T0 }));
    expect(error.code).toBe(API_BAD_RESPONSE);
    expect(error.message).toContain('answered 200 but the answer has no userkey (looked for "userkey" and "user.userkey")');
    expect(error.hint).toContain(`Bracken probably created ${sent[0]?.username}`);
    expect(await box.state.read('user')).toBeUndefined();
    expect(`${await visible(out)}\n${error.message}`).not.toContain(sent[0]?.password ?? '-');
  });

  test.each([
    ['no answer within HTTP_TIMEOUT_MS', API_TIMEOUT, (i: nock.Interceptor) => i.delay(2_000).reply(201, { userkey: 1 })],
    ['a 200 that is not JSON', API_BAD_RESPONSE, (i: nock.Interceptor) => i.reply(200, '<html>Welcome</html>', { 'content-type': 'text/html' })],
  ])('%s: the user may exist, so Next names it and says to look for it before running step 4 again', async (_label, code, answer) => {
    mockToken(TOKEN);
    const sent: { username: string }[] = [];
    answer(
      mockApi(TOKEN).post(CREATE, (body: { username: string }) => {
        sent.push(body);
        return true;
      }),
    );
    const error = await rejection(run({ HTTP_TIMEOUT_MS: '100' }));
    expect(error.code).toBe(code);
    expect(error.hint).toMatch(
      new RegExp(
        `^Bracken may have created ${sent[0]?.username} anyway: look for it in Bracken and delete it there before you run step 4 again \\(it picks a new name\\)\\. `,
      ),
    );
    expect(await box.state.read('user')).toBeUndefined();
  });

  test('a user still recorded from an earlier run stops the step before any request', async () => {
    const earlier: UserState = { apiUrl: API, domainkey: DOMAINKEY, userkey: 5, username: 'Test-User-old00000', createdAt: '2025-01-01T00:00:00.000Z' };
    await box.state.write('user', earlier);
    const error = await rejection(run());
    expect(error.code).toBe(STEP_PRECONDITION);
    expect(error.message).toBe(`A test user from an earlier run is still recorded: Test-User-old00000 (userkey 5) on ${API}.`);
    expect(error.hint).toBe('Run `npm run step:6` to delete it first, then run this step again.');
    expect(await box.state.read('user')).toEqual(earlier);
  });

  test('an active subscription, no listener running: promises the delivery to its target', async () => {
    const webhook: WebhookState = {
      apiUrl: API,
      domainkey: DOMAINKEY,
      secret: 's',
      subscriptions: [{ event: 'user_create', target: 'https://h.example.test/webhooks', active: true, subscribedAt: '' }],
    };
    await box.state.write('webhook', webhook);
    mockToken(TOKEN);
    expectCreate(() => ({ userkey: 3 }));
    const { lines } = (await run()).out;
    expect(lines).toContain('Subscription: user_create -> https://h.example.test/webhooks, active.');
    expect(lines.slice(-2)).toEqual(['The User_Create webhook should now arrive at https://h.example.test/webhooks.', 'Next: npm run step:5 to verify it.']);
  });

  test('an active subscription to the running listener: promises it to the listener', async () => {
    const target = 'http://127.0.0.1:5000/webhooks';
    await box.state.write('webhook', {
      apiUrl: API,
      domainkey: DOMAINKEY,
      secret: 's',
      subscriptions: [{ event: 'user_create', target, active: true, subscribedAt: '' }],
    });
    await box.state.write('listener', { localUrl: target, publicUrl: undefined, inspectorUrl: undefined, pid: 4242, startedAt: '' });
    mockToken(TOKEN);
    expectCreate(() => ({ userkey: 3 }));
    const out = captureLog();
    await createTestUser({ config: box.config(), state: box.state, log: out.log, now: () => T0, isRunning: (pid) => pid === 4242 });
    expect(out.lines).toContain('The User_Create webhook should now arrive at the listener (step 3).');
  });

  test('subscriptions to other events only: none for user_create', async () => {
    await box.state.write('webhook', {
      apiUrl: API,
      domainkey: DOMAINKEY,
      secret: 's',
      subscriptions: [{ event: 'module_complete', target: 'https://h.example.test/webhooks', active: true, subscribedAt: '' }],
    });
    mockToken(TOKEN);
    expectCreate(() => ({ userkey: 3 }));
    expect((await run()).out.lines).toContain(
      'Subscription: none (webhook.json records no user_create subscription), so no User_Create webhook will be sent; npm run step:2 subscribes.',
    );
  });

  test('a subscription recorded for another domain counts as none here', async () => {
    await box.state.write('webhook', {
      apiUrl: API,
      domainkey: 777,
      secret: 's',
      subscriptions: [{ event: 'user_create', target: 'https://h.example.test/webhooks', active: true, subscribedAt: '' }],
    });
    mockToken(TOKEN);
    expectCreate(() => ({ userkey: 3 }));
    expect((await run()).out.lines).toContain(
      `Subscription: none (webhook.json records subscriptions on ${API} (domainkey 777), not on this Bracken), so no User_Create webhook will be sent; npm run step:2 subscribes.`,
    );
  });
});

describe('generatePassword and generateUsername', () => {
  test('passwords are 28 characters with every class, and never repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = generatePassword();
      expect(password).toHaveLength(28);
      for (const set of PASSWORD_CLASSES) expect([...password].some((c) => set.includes(c))).toBe(true);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });

  test('a password shorter than 16 is refused', () => {
    expect(() => generatePassword(12)).toThrow(RangeError);
  });

  test('usernames are Test-User-<8 base36 characters> and unique', () => {
    const names = Array.from({ length: 200 }, () => generateUsername());
    for (const name of names) expect(name).toMatch(/^Test-User-[0-9a-z]{8}$/);
    expect(new Set(names).size).toBe(200);
  });
});
