import { beforeEach, expect, test } from 'vitest';
import { getToken } from '../../steps/01-get-token.ts';
import { TOKEN_INVALID_CLIENT } from '../../steps/lib/core/errors.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import { IDENTITY, mockToken, T0, testWorkbench, tokenRequest, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { captureLog } from '../helpers/output.ts';
import { rejection } from '../helpers/rejection.ts';

// Long enough that a full print would be obvious; redact() keeps only the first 4 characters.
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.payload-part-0123456789.signature-part-abcdef';

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

test('step 1 prints the target first, requests a token and prints it redacted', async () => {
  mockToken(TOKEN, { expiresIn: 3600 });
  const out = captureLog();
  const config = box.config();
  const token = await getToken({ config, state: box.state, log: out.log, now: () => T0 });

  expect(token.accessToken).toBe(TOKEN);
  expect(out.lines).toEqual([
    describeTarget(config),
    `Token: issued by POST ${IDENTITY}/connect/token (grant_type=client_credentials, client_id bracken-client, no scope, as in the tutorial)`,
    `Access token: eyJh…(${TOKEN.length} chars), expires in 3600 s (2025-01-01T13:00:00.000Z)`,
    `Cached in ${box.state.path('token.json')} (mode 0600); later steps reuse it until 30 s before it expires.`,
    'Next: npm run step:2 (subscribe to the User_Create webhook).',
  ]);
  expect(out.text()).not.toContain(TOKEN);
});

test('step 1 with an absurd expires_in (1e300) caches the token for at most a week instead of crashing', async () => {
  mockToken(TOKEN, { expiresIn: 1e300 });
  const out = captureLog();
  const token = await getToken({ config: box.config(), state: box.state, log: out.log, now: () => T0 });

  expect(token.expiresAt).toBe(T0 + 604_800_000);
  expect((await box.state.read('token'))?.expiresAt).toBe(T0 + 604_800_000);
  expect(out.lines).toContain(`Access token: eyJh…(${TOKEN.length} chars), expires in 604800 s (2025-01-08T12:00:00.000Z)`);
});

test('step 1 with a token that lives a week (the sandbox at SANDBOX_TOKEN_LIFETIME=604800) says a week, as the token does', async () => {
  mockToken(TOKEN, { expiresIn: 604_800 });
  const out = captureLog();
  const token = await getToken({ config: box.config(), state: box.state, log: out.log, now: () => T0 });

  expect(token.expiresAt).toBe(T0 + 604_800_000);
  expect(out.lines).toContain(`Access token: eyJh…(${TOKEN.length} chars), expires in 604800 s (2025-01-08T12:00:00.000Z)`);
});

test('step 1 with a token that lives 30 s or less (expires_in 0, 20) says later steps ask for a new one, not that they reuse it', async () => {
  for (const expiresIn of [0, 20]) {
    mockToken(TOKEN, { expiresIn });
    const out = captureLog();
    await getToken({ config: box.config(), state: box.state, log: out.log, now: () => T0, refresh: true });
    expect(out.lines[3]).toBe(`Cached in ${box.state.path('token.json')} (mode 0600); it expires within 30 s, so each later step asks for a new one.`);
  }
});

test('step 1 run again reuses the cached token; --refresh asks again', async () => {
  mockToken(TOKEN);
  const config = box.config();
  await getToken({ config, state: box.state, log: () => {}, now: () => T0 });

  const again = captureLog();
  await getToken({ config, state: box.state, log: again.log, now: () => T0 + 60_000 });
  expect(again.lines[1]).toBe('Token: reused from token.json, still fresh (npm run step:1 -- --refresh asks for a new one)');
  expect(again.lines[2]).toContain('expires in 3540 s');

  mockToken('second-token-0123456789');
  const refreshed = captureLog();
  const token = await getToken({ config, state: box.state, log: refreshed.log, now: () => T0 + 60_000, refresh: true });
  expect(token.accessToken).toBe('second-token-0123456789');
  expect(refreshed.lines[1]).toMatch(/^Token: issued by POST /);
});

test('step 1 with a wrong secret fails with TOKEN_INVALID_CLIENT and prints no secret', async () => {
  tokenRequest({ secret: 'wrong-secret-value' }).reply(400, { error: 'invalid_client' });
  const out = captureLog();
  const error = await rejection(getToken({ config: box.config({ BRACKEN_CLIENT_SECRET: 'wrong-secret-value' }), state: box.state, log: out.log }));
  expect(error.code).toBe(TOKEN_INVALID_CLIENT);
  expect(`${out.text()}\n${error.message}\n${error.hint}`).not.toContain('wrong-secret-value');
  expect(await box.state.read('token')).toBeUndefined();
});
