import { stat, writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { TOKEN_INVALID_CLIENT, TOKEN_REJECTED, TOKEN_UNREACHABLE, TokenError } from '../../steps/lib/core/errors.ts';
import { openState } from '../../steps/lib/core/state.ts';
import { EXPIRY_MARGIN_MS, getAccessToken } from '../../steps/lib/bracken/token.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { CLIENT_ID, IDENTITY, mockToken, T0, testWorkbench, tokenRequest, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { rejection } from '../helpers/rejection.ts';

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

describe('getAccessToken: the request and the cache', () => {
  test('POSTs grant_type=client_credentials with client_id and client_secret, no scope, and caches the token in token.json (0600)', async () => {
    mockToken('tok-1', { expiresIn: 3600 });
    const token = await getAccessToken({ config: box.config(), state: box.state, now: () => T0 });

    expect(token).toEqual({
      accessToken: 'tok-1',
      expiresAt: T0 + 3_600_000,
      identityUrl: IDENTITY,
      clientId: CLIENT_ID,
      scope: undefined,
      source: 'identity',
    });
    expect(await box.state.read('token')).toEqual({ accessToken: 'tok-1', expiresAt: T0 + 3_600_000, identityUrl: IDENTITY, clientId: CLIENT_ID });
    expect((await stat(box.state.path('token.json'))).mode & 0o777).toBe(0o600);
  });

  test('sends scope only when BRACKEN_SCOPE is set', async () => {
    mockToken('tok-scoped', { scope: 'bracken-api-scope' });
    const token = await getAccessToken({ config: box.config({ BRACKEN_SCOPE: 'bracken-api-scope' }), state: box.state, now: () => T0 });
    expect(token.accessToken).toBe('tok-scoped');
    expect(token.scope).toBe('bracken-api-scope');
  });

  test('reuses a fresh cached token without a second request', async () => {
    mockToken('tok-1');
    const config = box.config();
    await getAccessToken({ config, state: box.state, now: () => T0 });
    // No interceptor is left: a second request would fail with "Disallowed net connect".
    const again = await getAccessToken({ config, state: box.state, now: () => T0 + 3_600_000 - EXPIRY_MARGIN_MS - 1 });
    expect(again).toMatchObject({ accessToken: 'tok-1', source: 'cache' });
  });

  test('treats a token as expired 30 s early and fetches a new one', async () => {
    mockToken('tok-1');
    mockToken('tok-2');
    const config = box.config();
    await getAccessToken({ config, state: box.state, now: () => T0 });
    const later = T0 + 3_600_000 - EXPIRY_MARGIN_MS;
    const renewed = await getAccessToken({ config, state: box.state, now: () => later });
    expect(renewed).toMatchObject({ accessToken: 'tok-2', source: 'identity', expiresAt: later + 3_600_000 });
    expect((await box.state.read('token'))?.accessToken).toBe('tok-2');
  });

  test.each([
    ['another client id', { BRACKEN_CLIENT_ID: 'other-client' }, { clientId: 'other-client' }],
    ['another scope', { BRACKEN_SCOPE: 'bracken-api-scope' }, { scope: 'bracken-api-scope' }],
    ['another identity server', { BRACKEN_IDENTITY_URL: 'https://identity.example.test' }, { identity: 'https://identity.example.test' }],
  ])('does not reuse a cached token for %s', async (_label, env, tokenOptions) => {
    mockToken('tok-first');
    await getAccessToken({ config: box.config(), state: box.state, now: () => T0 });
    mockToken('tok-other', tokenOptions);
    const token = await getAccessToken({ config: box.config(env), state: box.state, now: () => T0 });
    expect(token).toMatchObject({ accessToken: 'tok-other', source: 'identity' });
  });

  test('a cached token said to live longer than a day (written before the cap) is not believed: a new one is fetched', async () => {
    await box.state.write('token', { accessToken: 'tok-forever', expiresAt: 1e303, identityUrl: IDENTITY, clientId: CLIENT_ID, scope: undefined });
    mockToken('tok-2');
    const token = await getAccessToken({ config: box.config(), state: box.state, now: () => T0 });
    expect(token).toMatchObject({ accessToken: 'tok-2', source: 'identity', expiresAt: T0 + 3_600_000 });
  });

  test('forceRefresh ignores a fresh cached token', async () => {
    mockToken('tok-1');
    mockToken('tok-2');
    const config = box.config();
    await getAccessToken({ config, state: box.state, now: () => T0 });
    expect((await getAccessToken({ config, state: box.state, now: () => T0, forceRefresh: true })).accessToken).toBe('tok-2');
  });

  test('a token.json that is not JSON counts as no cache and is overwritten', async () => {
    await writeFile(box.state.path('token.json'), '{not json');
    mockToken('tok-1');
    expect((await getAccessToken({ config: box.config(), state: box.state, now: () => T0 })).accessToken).toBe('tok-1');
    expect((await box.state.read('token'))?.accessToken).toBe('tok-1');
  });

  test('a token.json that is JSON but not a token (STATE_CORRUPT to read) counts as no cache and is overwritten', async () => {
    await writeFile(
      box.state.path('token.json'),
      JSON.stringify({ accessToken: 'tok-0', expiresAt: String(T0 + 3_600_000), identityUrl: IDENTITY, clientId: CLIENT_ID }),
    );
    mockToken('tok-1');
    expect(await getAccessToken({ config: box.config(), state: box.state, now: () => T0 })).toMatchObject({ accessToken: 'tok-1', source: 'identity' });
    expect((await box.state.read('token'))?.accessToken).toBe('tok-1');
  });
});

describe('getAccessToken: failures', () => {
  test.each([400, 401])('invalid_client with HTTP %i is TOKEN_INVALID_CLIENT, pointing at BRACKEN_CLIENT_ID/SECRET', async (status) => {
    tokenRequest().reply(status, { error: 'invalid_client' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error).toBeInstanceOf(TokenError);
    expect(error.code).toBe(TOKEN_INVALID_CLIENT);
    expect(error.message).toBe(`${IDENTITY}/connect/token rejected client_id "${CLIENT_ID}" or its secret (invalid_client, HTTP ${status}).`);
    expect(error.hint).toContain('Check BRACKEN_CLIENT_ID and BRACKEN_CLIENT_SECRET in .env');
    expect(await box.state.read('token')).toBeUndefined();
  });

  test('a bare 401 with a WWW-Authenticate challenge is TOKEN_INVALID_CLIENT too', async () => {
    tokenRequest().reply(401, '', { 'www-authenticate': 'Basic realm="identity"' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_INVALID_CLIENT);
    expect(error.message).toContain('(HTTP 401 with a WWW-Authenticate challenge)');
  });

  test('another OAuth error is TOKEN_REJECTED with the error and its description', async () => {
    tokenRequest({ scope: 'wrong' }).reply(400, { error: 'invalid_scope', error_description: 'scope not allowed' });
    const error = await rejection(getAccessToken({ config: box.config({ BRACKEN_SCOPE: 'wrong' }), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token answered HTTP 400 invalid_scope: scope not allowed.`);
    expect(error.hint).toContain('BRACKEN_SCOPE');
  });

  test('an error_description that echoes the client secret does not get it printed', async () => {
    tokenRequest().reply(400, { error: 'invalid_request', error_description: 'client_secret client-secret-0123456789abcdef is not valid here' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token answered HTTP 400 invalid_request: client_secret clie…(30 chars) is not valid here.`);
  });

  test('a 500 with no OAuth body is TOKEN_REJECTED naming the status, and says to try again later', async () => {
    tokenRequest().reply(500, 'boom');
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toContain('answered HTTP 500');
    expect(error.hint).toMatch(/^Try again in a moment/);
  });

  test('a 503 with Retry-After says the identity server had a problem and how long to wait, not to check the URL', async () => {
    tokenRequest().reply(503, '<html>Service Unavailable</html>', { 'content-type': 'text/html', 'retry-after': '30' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token answered HTTP 503: the identity server had a problem.`);
    expect(error.hint).toBe("Wait 30 s (its Retry-After), then run the step again; if it keeps failing, check Bracken's status or ask Bracken support.");
  });

  test('a 429 with Retry-After says the identity server is limiting requests and how long to wait', async () => {
    tokenRequest().reply(429, '', { 'retry-after': '12' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token answered HTTP 429: the identity server is limiting requests.`);
    expect(error.hint).toBe("Wait 12 s (its Retry-After), then run the step again; if it keeps failing, check Bracken's status or ask Bracken support.");
  });

  test('a redirect is not followed and the error names where it pointed', async () => {
    tokenRequest().reply(307, '', { location: 'https://login.example.test/connect/token' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(
      `${IDENTITY}/connect/token answered HTTP 307 redirecting to https://login.example.test/connect/token; redirects are not followed.`,
    );
    expect(error.hint).toContain(`Check BRACKEN_IDENTITY_URL (${IDENTITY})`);
  });

  test('a redirect whose Location carries a token does not get it printed', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.leaked-payload-0123456789.sig';
    tokenRequest().reply(302, '', { location: `https://sso.example.test/done?access_token=${token}&state=1` });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.message).toBe(
      `${IDENTITY}/connect/token answered HTTP 302 redirecting to https://sso.example.test/done?access_token=eyJh…(${token.length} chars)&state=1; redirects are not followed.`,
    );
    expect(`${error.message} ${error.hint}`).not.toContain('leaked-payload');
  });

  test.each([
    ['no access_token', { token_type: 'Bearer', expires_in: 3600 }, '"response" body "access_token" property must be a string'],
    [
      'a negative expires_in',
      { access_token: 'tok-secret-value', token_type: 'Bearer', expires_in: -5 },
      '"response" body "expires_in" property must be a non-negative number',
    ],
  ])('a 200 with %s says which field is wrong, without printing the token', async (_label, body, detail) => {
    tokenRequest().reply(200, body);
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token did not return a token: invalid response encountered (${detail}).`);
    expect(error.message).not.toContain('tok-secret-value');
    expect(await box.state.read('token')).toBeUndefined();
  });

  test('an answer over 1 MiB is refused unread: no 50 MB token is cached or sent on', async () => {
    tokenRequest().reply(200, { access_token: 'a'.repeat(3 * 1024 * 1024), token_type: 'Bearer', expires_in: 3600 });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error).toBeInstanceOf(TokenError);
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(`${IDENTITY}/connect/token answered HTTP 200 with a body over 1 MiB; the workbench stopped reading it.`);
    expect(error.hint).toContain('BRACKEN_IDENTITY_URL');
    expect(await box.state.read('token')).toBeUndefined();
  });

  test.each([
    ['a line break', 'zzq-abc\r\nX-Injected: 1'],
    ['a space', 'zzq abc'],
    ['a character outside ASCII', 'zzq-€uro'],
  ])('an access_token with %s (unusable in an Authorization header) is refused, not cached, and not printed', async (_label, accessToken) => {
    tokenRequest().reply(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_REJECTED);
    expect(error.message).toBe(
      `${IDENTITY}/connect/token returned an access_token that cannot be sent in an Authorization header: it has characters other than printable ASCII (${accessToken.length} chars).`,
    );
    expect(error.message).not.toContain('zzq');
    expect(await box.state.read('token')).toBeUndefined();
  });

  test('connection refused is TOKEN_UNREACHABLE with a network hint for the real Bracken', async () => {
    tokenRequest().replyWithError({ code: 'ECONNREFUSED' });
    const error = await rejection(getAccessToken({ config: box.config(), state: box.state }));
    expect(error.code).toBe(TOKEN_UNREACHABLE);
    expect(error.message).toBe(`The identity server at ${IDENTITY}/connect/token could not be reached (ECONNREFUSED).`);
    expect(error.hint).toContain('BRACKEN_IDENTITY_URL');
  });

  test('no answer within HTTP_TIMEOUT_MS is TOKEN_UNREACHABLE', async () => {
    tokenRequest().delay(2_000).reply(200, { access_token: 'late', token_type: 'Bearer', expires_in: 60 });
    const error = await rejection(getAccessToken({ config: box.config({ HTTP_TIMEOUT_MS: '50' }), state: box.state }));
    expect(error.code).toBe(TOKEN_UNREACHABLE);
    expect(error.message).toBe(`The identity server at ${IDENTITY}/connect/token did not answer within 50 ms.`);
  });

  test('in sandbox mode a refused connection says to start the sandbox (real closed port)', async () => {
    const port = await closedPort();
    const config = loadConfig({ env: { SANDBOX_PORT: String(port), WORKBENCH_STATE_DIR: box.dir } });
    const error = await rejection(getAccessToken({ config, state: openState(box.dir) }));
    expect(error.code).toBe(TOKEN_UNREACHABLE);
    expect(error.message).toBe(`The identity server at http://127.0.0.1:${port}/connect/token could not be reached (ECONNREFUSED).`);
    expect(error.hint).toBe(
      `Is the local sandbox running on port ${port}? Start it with \`npm run sandbox\` in another terminal (with the same SANDBOX_PORT), or run the whole walkthrough with \`npm start\`.`,
    );
  });

  test('in sandbox mode with SANDBOX_PORT=0 (any free port, for a sandbox started alone) the hint says to set the port the sandbox printed', async () => {
    const config = loadConfig({ env: { SANDBOX_PORT: '0', WORKBENCH_STATE_DIR: box.dir } });
    const error = await rejection(getAccessToken({ config, state: openState(box.dir) }));
    expect(error.code).toBe(TOKEN_UNREACHABLE);
    expect(error.message).toMatch(/^The identity server at http:\/\/127\.0\.0\.1:0\/connect\/token could not be reached \(E[A-Z]+\)\.$/);
    expect(error.hint).toBe(
      'SANDBOX_PORT=0 lets `npm run sandbox` pick any free port, which a step cannot know: set SANDBOX_PORT to the port the sandbox printed, or remove it (default 4010).',
    );
  });
});
