import { stat, writeFile } from 'node:fs/promises';
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { loadConfig, type Env } from '../../steps/lib/core/config.ts';
import { STATE_CORRUPT, STEP_PRECONDITION, StateError, StepError } from '../../steps/lib/core/errors.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import type { ListenerState, WebhookState } from '../../steps/lib/core/state.ts';
import { API, DOMAINKEY, mockApi, mockToken, T0, testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { captureLog } from '../helpers/output.ts';
import { runScript } from '../helpers/process.ts';
import { rejection } from '../helpers/rejection.ts';

const MERGE = `/api/webhook/merge/domain/${DOMAINKEY}/event/user_create`;
const TOKEN = 'access-token-for-step-2-0123456789';
const LISTENER: ListenerState = {
  localUrl: 'http://127.0.0.1:5055/webhooks',
  publicUrl: 'https://abc123.ngrok.app/webhooks',
  inspectorUrl: undefined,
  pid: 4242,
  startedAt: '2025-01-01T11:59:00.000Z',
};

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

/** Expects one merge PUT; returns the body Bracken received. */
function expectMerge(reply: (body: Record<string, unknown>) => unknown = () => ({})): { body: () => Record<string, unknown> } {
  let received: Record<string, unknown> | undefined;
  mockApi(TOKEN)
    .put(MERGE, (body: Record<string, unknown>) => {
      received = body;
      return Object.keys(body).sort().join() === 'active,secret,target' && body.active === true;
    })
    .reply(200, (_uri, body) => reply(body as Record<string, unknown>) as nock.Body);
  return { body: () => received ?? {} };
}

async function run(env: Env = {}, options: { running?: boolean } = {}) {
  const out = captureLog();
  const record = await subscribeWebhook({ config: box.config(env), state: box.state, log: out.log, now: () => T0, isRunning: () => options.running ?? true });
  return { out, record };
}

describe('step 2: target precedence', () => {
  test('WEBHOOK_TARGET wins over NGROK_DOMAIN and a running listener', async () => {
    await box.state.write('listener', LISTENER);
    mockToken(TOKEN);
    const merge = expectMerge();
    const { out } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/in', NGROK_DOMAIN: 'fixed.ngrok.app' });
    expect(merge.body().target).toBe('https://hooks.example.test/in');
    expect(out.lines).toContain('Target: https://hooks.example.test/in (from WEBHOOK_TARGET)');
  });

  test('NGROK_DOMAIN gives https://<domain>/webhooks, ahead of the listener', async () => {
    await box.state.write('listener', LISTENER);
    mockToken(TOKEN);
    const merge = expectMerge();
    await run({ NGROK_DOMAIN: 'https://fixed.ngrok.app/' });
    expect(merge.body().target).toBe('https://fixed.ngrok.app/webhooks');
  });

  test("a running listener's public URL comes next", async () => {
    await box.state.write('listener', LISTENER);
    mockToken(TOKEN);
    const merge = expectMerge();
    const { out } = await run();
    expect(merge.body().target).toBe('https://abc123.ngrok.app/webhooks');
    expect(out.lines).toContain('Target: https://abc123.ngrok.app/webhooks (from the tunnel of the running listener (pid 4242))');
  });

  test('a listener.json that is not what step 3 writes stops the step with STATE_CORRUPT, before any request', async () => {
    await writeFile(box.state.path('listener.json'), JSON.stringify({ ...LISTENER, pid: '4242' }));
    const error = await rejection(run());
    expect(error).toBeInstanceOf(StateError);
    expect(error.code).toBe(STATE_CORRUPT);
    expect(error.message).toBe(`${box.state.path('listener.json')} is not what its step writes: "pid" is a string, not a number.`);
    expect(await box.state.read('webhook')).toBeUndefined();
  });

  test.each([
    ['no listener.json', undefined, true],
    ['a listener without a tunnel', { ...LISTENER, publicUrl: undefined }, true],
    ['a listener that is no longer running', LISTENER, false],
  ])('real Bracken with %s fails before any request, saying how to get a public URL', async (_label, listener, running) => {
    if (listener !== undefined) await box.state.write('listener', listener);
    const error = await rejection(run({}, { running }));
    expect(error).toBeInstanceOf(StepError);
    expect(error.code).toBe(STEP_PRECONDITION);
    expect(error.message).toBe('There is no public URL to subscribe: Bracken cannot reach a listener on this machine without one.');
    expect(error.hint).toBe(
      'Either set WEBHOOK_TARGET=https://<your-public-host>/webhooks in .env, or set NGROK_AUTHTOKEN in .env and run `npm run step:3` in another terminal first (it opens an ngrok tunnel and records its URL), then run this step again.',
    );
    expect(await box.state.read('webhook')).toBeUndefined();
  });

  describe('in sandbox mode', () => {
    const SANDBOX = 'http://127.0.0.1:4599';
    const sandboxRun = async (listener: ListenerState | undefined) => {
      const config = loadConfig({ env: { SANDBOX_PORT: '4599', LISTEN_PORT: '5077', WORKBENCH_STATE_DIR: box.dir } });
      if (listener !== undefined) await box.state.write('listener', listener);
      let target: unknown;
      nock(SANDBOX).post('/connect/token').reply(200, { access_token: TOKEN, token_type: 'Bearer', expires_in: 3600 });
      nock(SANDBOX)
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .put('/api/webhook/merge/domain/15435/event/user_create', (body: { target: unknown }) => {
          target = body.target;
          return true;
        })
        .reply(200, {});
      await subscribeWebhook({ config, state: box.state, log: () => {}, now: () => T0, isRunning: () => true });
      return target;
    };

    test("uses the running local listener's URL", async () => {
      expect(await sandboxRun({ ...LISTENER, publicUrl: undefined })).toBe('http://127.0.0.1:5055/webhooks');
    });

    test('falls back to http://127.0.0.1:$LISTEN_PORT/webhooks', async () => {
      expect(await sandboxRun(undefined)).toBe('http://127.0.0.1:5077/webhooks');
    });
  });
});

describe('step 2: the secret', () => {
  test('is generated (32 random bytes, base64url), sent, recorded in webhook.json (0600) and never printed', async () => {
    mockToken(TOKEN);
    // Bracken's answer echoes what it was sent, secret included, as the tutorial shows.
    const merge = expectMerge((body) => body);
    const { out, record } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks' });

    const secret = merge.body().secret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    const expected: WebhookState = {
      apiUrl: API,
      domainkey: DOMAINKEY,
      secret,
      subscriptions: [{ event: 'user_create', target: 'https://hooks.example.test/webhooks', active: true, subscribedAt: '2025-01-01T12:00:00.000Z' }],
    };
    expect(record).toEqual(expected);
    expect(await box.state.read('webhook')).toEqual(expected);
    expect((await stat(box.state.path('webhook.json'))).mode & 0o777).toBe(0o600);

    expect(out.lines[0]).toBe(describeTarget(box.config()));
    expect(out.lines).toContain("Events: user_create (the tutorial's; WEBHOOK_EVENTS subscribes others too)");
    expect(out.lines).toContain(
      `Secret: ${secret.slice(0, 4)}…(43 chars) (generated (32 random bytes, base64url)); the listener (step 3) verifies signatures with it.`,
    );
    expect(out.lines).toContain(
      `Bracken answered: 200 {"target":"https://hooks.example.test/webhooks","secret":"${secret.slice(0, 4)}…(43 chars)","active":true}`,
    );
    expect(out.text()).not.toContain(secret);
    expect(out.text()).not.toContain(TOKEN);
  });

  test('is kept when step 2 runs again for the same API and domain', async () => {
    mockToken(TOKEN);
    const first = expectMerge();
    await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks' });
    const second = expectMerge(); // the cached token is reused: no second token request
    const { out } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks' });
    expect(second.body().secret).toBe(first.body().secret);
    expect(out.text()).toContain('(webhook.json (kept from the last run))');
  });

  test('a new one is generated for another domainkey', async () => {
    mockToken(TOKEN);
    const first = expectMerge();
    await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks' });
    let secret: unknown; // same client, so the cached token is reused
    mockApi(TOKEN)
      .put('/api/webhook/merge/domain/777/event/user_create', (body: { secret: unknown }) => {
        secret = body.secret;
        return true;
      })
      .reply(200, {});
    await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks', BRACKEN_DOMAINKEY: '777' });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(first.body().secret);
  });

  test('WEBHOOK_SECRET is used as given', async () => {
    mockToken(TOKEN);
    mockApi(TOKEN).put(MERGE, { target: 'https://hooks.example.test/webhooks', secret: 'my-own-secret-value-1234', active: true }).reply(204);
    const { out, record } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks', WEBHOOK_SECRET: 'my-own-secret-value-1234' });
    expect(record.secret).toBe('my-own-secret-value-1234');
    expect(out.lines).toContain('Bracken answered: 204 (empty body)');
    expect(out.text()).not.toContain('my-own-secret-value-1234');
  });
});

describe('step 2: WEBHOOK_EVENTS', () => {
  const TARGET = 'https://hooks.example.test/webhooks';
  /** Expects one merge PUT for `event` with exactly {target, secret, active: true}; returns the secret sent. */
  function expectMergeOf(event: string): () => unknown {
    let secret: unknown;
    mockApi(TOKEN)
      .put(`/api/webhook/merge/domain/${DOMAINKEY}/event/${event}`, (body: Record<string, unknown>) => {
        secret = body.secret;
        return Object.keys(body).sort().join() === 'active,secret,target' && body.target === TARGET && body.active === true;
      })
      .reply(200, {});
    return () => secret;
  }

  test('user_create,Module_Complete: one merge per event with the same target and secret, all recorded in webhook.json', async () => {
    mockToken(TOKEN);
    const first = expectMergeOf('user_create');
    const second = expectMergeOf('module_complete');
    const { out, record } = await run({ WEBHOOK_TARGET: TARGET, WEBHOOK_EVENTS: 'user_create, Module_Complete' });
    expect(second()).toBe(first());
    expect(record.secret).toBe(first());
    expect(record.subscriptions).toEqual([
      { event: 'user_create', target: TARGET, active: true, subscribedAt: '2025-01-01T12:00:00.000Z' },
      { event: 'module_complete', target: TARGET, active: true, subscribedAt: '2025-01-01T12:00:00.000Z' },
    ]);
    expect(await box.state.read('webhook')).toEqual(record);
    expect(out.lines).toContain('Events: user_create, module_complete (from WEBHOOK_EVENTS)');
    expect(out.lines).toContain(`PUT ${API}/api/webhook/merge/domain/${DOMAINKEY}/event/module_complete {target, secret, active: true}`);
  });

  test('a later run for other events keeps the subscriptions recorded before, so step 6 still deactivates them', async () => {
    mockToken(TOKEN);
    expectMergeOf('user_create');
    await run({ WEBHOOK_TARGET: TARGET });
    expectMergeOf('course_expiring');
    const { out, record } = await run({ WEBHOOK_TARGET: TARGET, WEBHOOK_EVENTS: 'course_expiring' });
    expect(record.subscriptions.map((s) => [s.event, s.active])).toEqual([
      ['user_create', true],
      ['course_expiring', true],
    ]);
    expect(out.lines).toContain('Events: course_expiring (from WEBHOOK_EVENTS)');
  });

  test('a merge that fails leaves the ones before it recorded', async () => {
    mockToken(TOKEN);
    expectMergeOf('user_create');
    mockApi(TOKEN).put(`/api/webhook/merge/domain/${DOMAINKEY}/event/module_start`).reply(500, 'down');
    const error = await rejection(run({ WEBHOOK_TARGET: TARGET, WEBHOOK_EVENTS: 'user_create,module_start' }));
    expect(error.code).toBe('WORKBENCH_API_SERVER_ERROR');
    expect((await box.state.read('webhook'))?.subscriptions.map((s) => s.event)).toEqual(['user_create']);
  });

  test('subscriptions recorded for another domain are replaced, with a note that step 6 no longer knows them', async () => {
    mockToken(TOKEN);
    await box.state.write('webhook', {
      apiUrl: API,
      domainkey: 777,
      secret: 'other-domain-secret',
      subscriptions: [{ event: 'user_create', target: TARGET, active: true, subscribedAt: '' }],
    });
    expectMergeOf('user_create');
    const { out, record } = await run({ WEBHOOK_TARGET: TARGET });
    expect(record.domainkey).toBe(DOMAINKEY);
    expect(out.lines).toContain(
      `Note: webhook.json recorded active subscriptions on ${API} (domainkey 777); they are no longer recorded, so step 6 will not deactivate them.`,
    );
  });
});

describe('step 2: a weak WEBHOOK_SECRET (issue 12)', () => {
  test('the tutorial\'s "12345" is sent as asked, printed as **** (not its length), with a warning naming why', async () => {
    mockToken(TOKEN);
    mockApi(TOKEN).put(MERGE, { target: 'https://hooks.example.test/webhooks', secret: '12345', active: true }).reply(200, { secret: '12345' });
    const { out } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks', WEBHOOK_SECRET: '12345' });
    expect(out.lines).toContain('Secret: **** (WEBHOOK_SECRET); the listener (step 3) verifies signatures with it.');
    expect(out.lines).toContain(
      "Warning: the webhook secret from WEBHOOK_SECRET is weak: it is the example secret of Bracken's webhook tutorial, and it is shorter than 24 characters. " +
        'Anyone who can guess it can sign deliveries your receiver will trust. ' +
        'Leave WEBHOOK_SECRET empty and step 2 generates a strong one (32 random bytes), or set a long random one.',
    );
    expect(out.lines).toContain('Bracken answered: 200 {"secret":"****"}');
    expect(out.text()).not.toContain('12345');
  });

  test('a generated secret gets no warning', async () => {
    mockToken(TOKEN);
    expectMerge();
    const { out } = await run({ WEBHOOK_TARGET: 'https://hooks.example.test/webhooks' });
    expect(out.text()).not.toContain('Warning');
  });
});

describe('npm run step:2 -- --print-secret (issue 12)', () => {
  const printSecret = (stateDir: string) => runScript('steps/02-subscribe-webhook.ts', { args: ['--print-secret'], env: { WORKBENCH_STATE_DIR: stateDir } });
  const sandboxRecord = (secret: string): WebhookState => ({
    apiUrl: 'http://127.0.0.1:4010',
    domainkey: 15435,
    secret,
    subscriptions: [{ event: 'user_create', target: 'http://127.0.0.1:5000/webhooks', active: true, subscribedAt: '2025-01-01T12:00:00.000Z' }],
  });

  test('prints the subscribed secret in full and nothing else: stdout is the secret and a newline, stderr is empty, exit 0', async () => {
    const secret = 'rdMaNjBh0Lq1Yx9mB3vFh_2kzQk2kH5oWmO1cS4xQ7E';
    await box.state.write('webhook', sandboxRecord(secret));
    const result = await printSecret(box.dir);
    expect(result).toEqual({ code: 0, stdout: `${secret}\n`, stderr: '' });
  });

  test('before step 2 has subscribed: exit 1, nothing on stdout, the reason and what to run on stderr', async () => {
    const result = await printSecret(box.dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `Error: No subscription for http://127.0.0.1:4010 (domainkey 15435) in ${box.state.path('webhook.json')} yet. [WORKBENCH_STEP_PRECONDITION]\n` +
        'Next: Run `npm run step:2` first; it subscribes and records the secret, then `npm run step:2 -- --print-secret` prints it.\n',
    );
  });

  test('a subscription recorded for another Bracken is not the one configured: exit 1, nothing on stdout', async () => {
    await box.state.write('webhook', { ...sandboxRecord('another-bracken-secret-0123456789'), apiUrl: API });
    const result = await printSecret(box.dir);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).not.toContain('another-bracken-secret');
  });

  test('an unknown option is refused with exit 2 and the usage', async () => {
    const result = await runScript('steps/02-subscribe-webhook.ts', { args: ['--print-secrets'], env: { WORKBENCH_STATE_DIR: box.dir } });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: "Error: Unknown option '--print-secrets' [WORKBENCH_CONFIG_INVALID]\nNext: Step 2 takes one option: npm run step:2 -- --print-secret\n",
    });
  });
});
