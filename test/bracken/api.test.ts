import { createServer, type ServerResponse } from 'node:http';
import nock from 'nock';
import { beforeEach, describe, expect, test } from 'vitest';
import { createBrackenApi } from '../../steps/lib/bracken/api.ts';
import {
  API_BAD_REQUEST,
  API_BAD_RESPONSE,
  API_CLIENT_ERROR,
  API_CONFLICT,
  API_FORBIDDEN,
  API_NOT_FOUND,
  API_SERVER_ERROR,
  API_TIMEOUT,
  API_UNAUTHORIZED,
  API_UNREACHABLE,
  ApiError,
} from '../../steps/lib/core/errors.ts';
import type { TokenState } from '../../steps/lib/core/state.ts';
import { API, DOMAINKEY, mockApi, mockToken, T0, testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { rejection } from '../helpers/rejection.ts';

const MERGE = `/api/webhook/merge/domain/${DOMAINKEY}/event/user_create`;
const SUBSCRIPTION = { target: 'https://hooks.example.test/webhooks', secret: 'webhook-secret-0123456789', active: true };

let box: TestWorkbench;
beforeEach(async () => {
  box = await testWorkbench();
});

function api(extra: Record<string, string> = {}, now: () => number = () => T0) {
  return createBrackenApi({ config: box.config(extra), state: box.state, now });
}

describe('createBrackenApi: requests', () => {
  test('mergeWebhook PUTs the exact JSON with the bearer token and returns the parsed answer', async () => {
    mockToken('tok-1');
    mockApi('tok-1')
      .put(MERGE, SUBSCRIPTION)
      .reply(200, { ...SUBSCRIPTION, domainkey: DOMAINKEY });
    const answer = await api().mergeWebhook('user_create', SUBSCRIPTION);
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ ...SUBSCRIPTION, domainkey: DOMAINKEY });
  });

  test('createUser POSTs {username, password} to /api/user/create/domain/{domainkey}', async () => {
    mockToken('tok-1');
    mockApi('tok-1').post(`/api/user/create/domain/${DOMAINKEY}`, { username: 'Test-User-x', password: 'Pw-1234567890abcdef' }).reply(201, { userkey: 7 });
    expect((await api().createUser({ username: 'Test-User-x', password: 'Pw-1234567890abcdef' })).data).toEqual({ userkey: 7 });
  });

  test('deleteUser uses BRACKEN_USER_DELETE_ROUTE with URL-encoded values and sends no body', async () => {
    mockToken('tok-1');
    mockApi('tok-1', { body: false })
      .post('/api/users/Test%20User%2F1/remove/15435', (body) => body === '' || Object.keys(body as object).length === 0)
      .reply(204);
    const client = api({ BRACKEN_USER_DELETE_ROUTE: 'POST /api/users/{username}/remove/{domainkey}' });
    expect(await client.deleteUser({ userkey: 1, username: 'Test User/1' })).toEqual({ status: 204, text: '', data: undefined });
  });

  test('an empty 2xx body is accepted (Bracken does not document the merge answer)', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(200, '');
    expect(await api().mergeWebhook('user_create', SUBSCRIPTION)).toEqual({ status: 200, text: '', data: undefined });
  });

  test('a fresh cached token is used without asking the identity server', async () => {
    const cached: TokenState = {
      accessToken: 'cached-tok',
      expiresAt: T0 + 600_000,
      identityUrl: 'https://identity.brackenlearning.com',
      clientId: 'bracken-client',
      scope: undefined,
    };
    await box.state.write('token', cached);
    mockApi('cached-tok').put(MERGE, SUBSCRIPTION).reply(200, {});
    expect((await api().mergeWebhook('user_create', SUBSCRIPTION)).status).toBe(200);
  });

  test('a token that expires between two calls is replaced before the second call', async () => {
    let now = T0;
    const client = api({}, () => now);
    mockToken('tok-1', { expiresIn: 300 });
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(200, {});
    await client.mergeWebhook('user_create', SUBSCRIPTION);
    now = T0 + 300_000 - 29_000; // inside the 30 s safety margin
    mockToken('tok-2');
    mockApi('tok-2').put(MERGE, SUBSCRIPTION).reply(200, {});
    await client.mergeWebhook('user_create', SUBSCRIPTION);
    expect((await box.state.read('token'))?.accessToken).toBe('tok-2');
  });
});

describe('createBrackenApi: 401 gets exactly one token refresh', () => {
  test('401, new token, 401 again: two token requests, two API calls, then API_UNAUTHORIZED', async () => {
    const seen: string[] = [];
    nock.emitter.on('no match', () => seen.push('unexpected request'));
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(401, '');
    mockToken('tok-2');
    mockApi('tok-2').put(MERGE, SUBSCRIPTION).reply(401, '', { 'www-authenticate': 'Bearer error="invalid_token"' });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    nock.emitter.removeAllListeners('no match');
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: API_UNAUTHORIZED, status: 401, method: 'PUT', url: `${API}${MERGE}`, body: '' });
    expect(error.message).toBe(`PUT ${API}${MERGE} answered 401 Unauthorized: (empty body)`);
    expect(error.hint).toContain('BRACKEN_SCOPE');
    expect(seen).toEqual([]);
  });

  test('401 with a cached token, then 200 with a fresh one: succeeds and caches the fresh token', async () => {
    await box.state.write('token', {
      accessToken: 'revoked',
      expiresAt: T0 + 600_000,
      identityUrl: 'https://identity.brackenlearning.com',
      clientId: 'bracken-client',
      scope: undefined,
    });
    mockApi('revoked').put(MERGE, SUBSCRIPTION).reply(401);
    mockToken('tok-new');
    mockApi('tok-new').put(MERGE, SUBSCRIPTION).reply(200, { ok: true });
    expect((await api().mergeWebhook('user_create', SUBSCRIPTION)).data).toEqual({ ok: true });
    expect((await box.state.read('token'))?.accessToken).toBe('tok-new');
  });
});

/**
 * A real API on loopback that sends the status line, headers and the start of a JSON body, then
 * `after` does the rest (drops the connection, or stalls): what nock cannot do mid-body.
 */
async function halfAnsweringApi(after: (response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"userkey":');
    after(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  onCleanup(() => server.closeAllConnections());
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

describe('createBrackenApi: an answer that breaks off', () => {
  const CREATE = `/api/user/create/domain/${DOMAINKEY}`;
  const USER = { username: 'Test-User-x', password: 'Pw-1234567890abcdef' };

  test('a connection dropped mid-body says the server answered, and that it may have acted', async () => {
    const apiUrl = await halfAnsweringApi((response) => setTimeout(() => response.socket?.destroy(), 20));
    mockToken('tok-1');
    const error = await rejection(api({ BRACKEN_API_URL: apiUrl }).createUser(USER));
    expect(error).toMatchObject({ code: API_UNREACHABLE, status: 200, method: 'POST', url: `${apiUrl}${CREATE}` });
    expect(error.message).toMatch(new RegExp(`^POST ${apiUrl}${CREATE} answered 200 but the connection broke before the answer ended \\(\\w+\\)\\.$`));
    expect(error.hint).toContain('Bracken got the request and may have carried it out');
  });

  test('a body that stops coming is API_TIMEOUT within HTTP_TIMEOUT_MS, saying the answer had begun', async () => {
    const apiUrl = await halfAnsweringApi(() => {});
    mockToken('tok-1');
    const started = Date.now();
    const error = await rejection(api({ BRACKEN_API_URL: apiUrl, HTTP_TIMEOUT_MS: '300' }).createUser(USER));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ code: API_TIMEOUT, status: 200 });
    expect(error.message).toBe(`POST ${apiUrl}${CREATE} answered 200 but the rest of the answer did not come within 300 ms.`);
    expect(error.hint).toContain('Bracken got the request and may have carried it out');
  });
});

describe('createBrackenApi: errors', () => {
  test.each([
    [400, 'Bad Request', API_BAD_REQUEST, 'names the field'],
    [403, 'Forbidden', API_FORBIDDEN, 'check that BRACKEN_DOMAINKEY belongs to this client'],
    [404, 'Not Found', API_NOT_FOUND, 'Check BRACKEN_API_URL'],
    [409, 'Conflict', API_CONFLICT, 'already exists'],
    [422, 'Unprocessable Entity', API_CLIENT_ERROR, 'refused the request'],
    [500, 'Internal Server Error', API_SERVER_ERROR, 'try again in a moment'],
    [503, 'Service Unavailable', API_SERVER_ERROR, 'try again in a moment'],
  ])('HTTP %i is %s with the status, the server body, method, URL and a hint', async (status, statusText, code, hint) => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(status, `{"title":"server says ${status}"}`);
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code, status, body: `{"title":"server says ${status}"}`, method: 'PUT', url: `${API}${MERGE}` });
    // The body is a problem (RFC 9457): quoted by its title; the body itself is kept whole.
    expect(error.message).toBe(`PUT ${API}${MERGE} answered ${status} ${statusText}: server says ${status}`);
    expect(error.hint).toContain(hint);
  });

  test('a 429 says to wait as long as its Retry-After asks, then run the step again', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(429, 'slow down', { 'retry-after': '17' });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toMatchObject({ code: API_CLIENT_ERROR, status: 429 });
    expect(error.hint).toBe('Bracken is limiting how often this client may call it (429 Too Many Requests): wait 17 s, then run the step again.');
  });

  test('a 429 without Retry-After says to wait a minute', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(429);
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.hint).toBe('Bracken is limiting how often this client may call it (429 Too Many Requests): wait a minute, then run the step again.');
  });

  test('a 503 with Retry-After (an HTTP date) passes on when to try again', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(503, '', { 'retry-after': 'Wed, 01 Jan 2025 12:05:00 GMT' });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toMatchObject({ code: API_SERVER_ERROR, status: 503 });
    expect(error.hint).toBe(
      'Bracken had a problem and asked to be retried later: wait until 2025-01-01T12:05:00.000Z, then try again. If it keeps failing, send Bracken support the time, method and URL above.',
    );
  });

  test('a per-call hint replaces the default one', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(404);
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION, { 404: 'Already gone, fine.' }));
    expect(error.hint).toBe('Already gone, fine.');
  });

  test('a server that echoes the webhook secret in an error does not get it printed', async () => {
    mockToken('tok-1');
    mockApi('tok-1')
      .put(MERGE, SUBSCRIPTION)
      .reply(400, { errors: { secret: [`"${SUBSCRIPTION.secret}" is not allowed`] } });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.message).not.toContain(SUBSCRIPTION.secret);
    expect(error.message).toContain('webh…(25 chars)');
    expect((error as ApiError).body).not.toContain(SUBSCRIPTION.secret);
  });

  test('an ASP.NET validation problem is quoted as its fields and messages, with its traceId; the body stays whole', async () => {
    const problem = {
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { Target: ['The Target field is required.'], Active: ['The JSON value could not be converted.', 'Expected a boolean.'] },
      traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
    };
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(400, problem, { 'Content-Type': 'application/problem+json' });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.code).toBe(API_BAD_REQUEST);
    expect(error.message).toBe(
      `PUT ${API}${MERGE} answered 400 Bad Request: One or more validation errors occurred: Target: The Target field is required. ` +
        'Active: The JSON value could not be converted. Expected a boolean. (traceId 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00)',
    );
    expect(JSON.parse((error as ApiError).body ?? '')).toEqual(problem);
  });

  test("a problem with a detail (the sandbox's 500 on a full disk) is quoted as that detail, whole", async () => {
    const detail =
      'Cannot write /state/sandbox/store-4010.json: the disk is full (ENOSPC). Nothing was changed: send the request again once the store can be written.';
    mockToken('tok-1');
    mockApi('tok-1')
      .put(MERGE, SUBSCRIPTION)
      .reply(500, { type: 'https://tools.ietf.org/html/rfc9110#section-15.6.1', title: 'Internal Server Error', status: 500, detail });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.code).toBe(API_SERVER_ERROR);
    expect(error.message).toBe(`PUT ${API}${MERGE} answered 500 Internal Server Error: ${detail}`);
  });

  test('JSON that is not a problem is quoted as it came', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(409, { message: 'exists', code: 7 });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.message).toBe(`PUT ${API}${MERGE} answered 409 Conflict: {"message":"exists","code":7}`);
  });

  test('a server that echoes the bearer token in an error does not get it printed', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.token-payload-0123456789.sig';
    mockToken(token);
    mockApi(token).put(MERGE, SUBSCRIPTION).reply(400, `bad request from Bearer ${token}`);
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.code).toBe(API_BAD_REQUEST);
    expect(error.message).toBe(`PUT ${API}${MERGE} answered 400 Bad Request: bad request from Bearer eyJh…(${token.length} chars)`);
    expect((error as ApiError).body).not.toContain(token);
  });

  test('no answer within HTTP_TIMEOUT_MS is API_TIMEOUT', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).delay(2_000).reply(200, {});
    const error = await rejection(api({ HTTP_TIMEOUT_MS: '50' }).mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toMatchObject({ code: API_TIMEOUT, status: undefined, method: 'PUT', url: `${API}${MERGE}` });
    expect(error.message).toBe(`PUT ${API}${MERGE} got no answer within 50 ms.`);
    expect(error.hint).toContain('HTTP_TIMEOUT_MS');
  });

  test.each(['ECONNREFUSED', 'ENOTFOUND'])('%s is API_UNREACHABLE', async (errorCode) => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).replyWithError({ code: errorCode });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error.code).toBe(API_UNREACHABLE);
    expect(error.message).toBe(`PUT ${API}${MERGE} could not reach the server (${errorCode}).`);
    expect(error.hint).toContain('BRACKEN_API_URL');
  });

  test.each([301, 302, 307, 308])(
    'a %i redirect is not followed: the body (a secret, a password) goes nowhere else, and the error names where it pointed',
    async (status) => {
      mockToken('tok-1');
      // Exactly one API request: were the redirect followed, nock would refuse the second one (another host).
      mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(status, '', { location: 'https://elsewhere.example.test/login' });
      const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
      expect(error).toMatchObject({ code: API_BAD_RESPONSE, status, method: 'PUT', url: `${API}${MERGE}` });
      expect(error.message).toBe(
        `PUT ${API}${MERGE} answered ${status} redirecting to https://elsewhere.example.test/login; the workbench does not follow redirects.`,
      );
      expect(error.hint).toContain('BRACKEN_API_URL');
    },
  );

  test('a 2xx body over 1 MiB is refused, not read to the end: API_BAD_RESPONSE, the start quoted', async () => {
    mockToken('tok-1');
    const huge = `{"userkey":42,"pad":"${'a'.repeat(3 * 1024 * 1024)}"}`;
    mockApi('tok-1').post(`/api/user/create/domain/${DOMAINKEY}`, { username: 'Test-User-x', password: 'Pw-1234567890abcdef' }).reply(200, huge);
    const error = await rejection(api().createUser({ username: 'Test-User-x', password: 'Pw-1234567890abcdef' }));
    expect(error).toMatchObject({ code: API_BAD_RESPONSE, status: 200 });
    expect(error.message).toMatch(/answered 200 but its body is over 1 MiB, so it was not read to the end: \{"userkey":42,"pad":"a+… \(1048576 chars\)$/);
    expect((error as ApiError).body).toHaveLength(1024 * 1024);
  });

  test('an error answer over 1 MiB keeps its status and code, with only its first 1 MiB read', async () => {
    mockToken('tok-1');
    mockApi('tok-1')
      .put(MERGE, SUBSCRIPTION)
      .reply(500, 'x'.repeat(2 * 1024 * 1024));
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toMatchObject({ code: API_SERVER_ERROR, status: 500 });
    expect((error as ApiError).body).toHaveLength(1024 * 1024);
  });

  test('a 2xx that is not JSON is API_BAD_RESPONSE', async () => {
    mockToken('tok-1');
    mockApi('tok-1').put(MERGE, SUBSCRIPTION).reply(200, '<html>Sign in</html>', { 'content-type': 'text/html' });
    const error = await rejection(api().mergeWebhook('user_create', SUBSCRIPTION));
    expect(error).toMatchObject({ code: API_BAD_RESPONSE, status: 200, body: '<html>Sign in</html>' });
    expect(error.message).toBe(`PUT ${API}${MERGE} answered 200 but the body is not JSON: <html>Sign in</html>`);
  });
});
