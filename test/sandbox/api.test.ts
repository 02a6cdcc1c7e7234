/**
 * The sandbox API: bearer auth (401/403), ASP.NET-style 400s, webhook merge (upsert, event names
 * in any case, domain from the token), user create (409 on a taken name) and the configured
 * delete route.
 */
import { describe, expect, it } from 'vitest';
import { accessToken, call, createUser, testSandbox } from './helpers.ts';

const MERGE = '/api/webhook/merge/domain/15435/event/User_Create';
const SUBSCRIPTION = { target: 'https://example.test/webhooks', secret: 'a-long-webhook-secret', active: true };

describe('bearer authentication', () => {
  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const sandbox = await testSandbox();
    const answer = await call(sandbox, 'PUT', MERGE, { body: SUBSCRIPTION });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('answers 401 invalid_token to a token it did not issue', async () => {
    const sandbox = await testSandbox();
    const other = await testSandbox(); // same client, its own signing key
    const answer = await call(sandbox, 'PUT', MERGE, { token: await accessToken(other), body: SUBSCRIPTION });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="The token is invalid"');
    const garbage = await call(sandbox, 'PUT', MERGE, { token: 'not-a-token', body: SUBSCRIPTION });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('reads the Authorization header as ASP.NET does: any case, any spaces; a token with a space in it is an invalid one', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const put = (authorization: string) =>
      fetch(`${sandbox.url}${MERGE}`, { method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(SUBSCRIPTION) });
    expect((await put(`bearer ${token}`)).status).toBe(200);
    expect((await put(`Bearer  ${token}`)).status).toBe(200);
    const bare = await put('Bearer');
    expect([bare.status, bare.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    // A token was sent, just not one this sandbox issued: "No access token" would send the user looking for the wrong fault.
    const extra = await put(`Bearer ${token} extra`);
    expect(extra.status).toBe(401);
    expect(extra.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="The token is invalid"');
    expect(((await extra.json()) as { detail: string }).detail).toBe(
      'The access token is not a token this sandbox issued. Get a new one from POST /connect/token.',
    );
  });

  it('accepts a token until its lifetime ends, then answers 401 "The token expired"', async () => {
    const sandbox = await testSandbox({ tokenLifetimeSec: 1 });
    const token = await accessToken(sandbox);
    expect((await call(sandbox, 'PUT', MERGE, { token, body: SUBSCRIPTION })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const answer = await call(sandbox, 'PUT', MERGE, { token, body: SUBSCRIPTION });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="The token expired"');
    expect((answer.json as { detail: string }).detail).toMatch(/^The access token expired at .*Get a new one from POST \/connect\/token\.$/);
  });

  it('answers 403 when the path names another domain than the token', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const merge = await call(sandbox, 'PUT', '/api/webhook/merge/domain/99999/event/User_Create', { token, body: SUBSCRIPTION });
    expect(merge.status).toBe(403);
    expect((merge.json as { detail: string }).detail).toBe(
      'This token is for domain 15435; it cannot act on domain 99999 (PUT /api/webhook/merge/domain/99999/event/User_Create).',
    );
    const create = await call(sandbox, 'POST', '/api/user/create/domain/99999', { token, body: { username: 'u', password: 'long-enough' } });
    expect(create.status).toBe(403);
    expect(sandbox.users()).toEqual([]);
  });
});

describe('PUT /api/webhook/merge/...', () => {
  it('answers 400 problem+json naming every bad field', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const answer = await call(sandbox, 'PUT', MERGE, { token, body: { target: 'ftp://example.test/x', secret: '', active: 'yes' } });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.json).toEqual({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: {
        target: ['The target "ftp://example.test/x" is not an absolute http or https URL.'],
        secret: ['The secret field is required: a non-empty string the deliveries are signed with.'],
        active: ['The active field is required: true or false.'],
      },
    });
    expect(sandbox.subscriptions()).toEqual([]);
  });

  it('answers 400 for a target with a user name or password, without echoing it, and stores nothing', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    for (const target of ['https://user:hunter2-pass@example.test/webhooks', 'https://user@example.test/webhooks']) {
      const answer = await call(sandbox, 'PUT', MERGE, { token, body: { ...SUBSCRIPTION, target } });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({
        errors: {
          target: [
            'The target must not hold a user name or password: a delivery carries its signature in the Authorization header and no other credentials, so they would never be sent. A delivery is authenticated by its signature.',
          ],
        },
      });
      expect(answer.text).not.toContain('hunter2');
    }
    expect(sandbox.subscriptions()).toEqual([]);
  });

  it('answers 400 for a body that is not JSON, and 415 for another content type', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const broken = await call(sandbox, 'PUT', MERGE, { token, body: '{"target": ' });
    expect(broken.status).toBe(400);
    expect(Object.keys((broken.json as { errors: object }).errors)).toEqual(['$']);
    const text = await call(sandbox, 'PUT', MERGE, { token, body: JSON.stringify(SUBSCRIPTION), contentType: 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('titles a body-parser failure by its status: 415 Unsupported Media Type, 413 Payload Too Large', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const put = (headers: Record<string, string>, body: string) =>
      fetch(`${sandbox.url}${MERGE}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body });
    const compressed = await put({ 'content-encoding': 'compress' }, JSON.stringify(SUBSCRIPTION));
    expect(compressed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await compressed.json()).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
    const large = await put({}, JSON.stringify({ ...SUBSCRIPTION, pad: 'x'.repeat(200_000) }));
    expect(await large.json()).toMatchObject({ status: 413, title: 'Payload Too Large' });
  });

  it('answers 400 naming the known events for an unknown event name', async () => {
    const sandbox = await testSandbox();
    const answer = await call(sandbox, 'PUT', '/api/webhook/merge/domain/15435/event/user_created', { token: await accessToken(sandbox), body: SUBSCRIPTION });
    expect(answer.status).toBe(400);
    expect((answer.json as { errors: Record<string, string[]> }).errors.eventname?.[0]).toContain('use one of User_Create, User_Delete, Module_Start');
  });

  it('upserts one subscription per event: user_create then User_Create replace each other', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const first = await call(sandbox, 'PUT', '/api/webhook/merge/domain/15435/event/user_create', { token, body: SUBSCRIPTION });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      domainkey: 15435,
      eventname: 'User_Create',
      target: 'https://example.test/webhooks',
      secret: 'a-lo…(21 chars)',
      active: true,
      created: expect.any(String),
      modified: expect.any(String),
    });
    const second = await call(sandbox, 'PUT', MERGE, { token, body: { target: 'https://example.test/other', secret: 'another-secret', active: false } });
    expect(second.status).toBe(200);
    expect(second.text).not.toContain('another-secret');
    const stored = sandbox.subscriptions();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ eventname: 'User_Create', target: 'https://example.test/other', secret: 'another-secret', active: false });
    expect(stored[0]?.created).toBe((first.json as { created: string }).created);
    const listed = await call(sandbox, 'GET', '/sandbox/subscriptions');
    expect(listed.json).toEqual([{ ...(second.json as object) }]);
  });

  it('takes the domain from the token on PUT /api/webhook/merge/event/{eventname}', async () => {
    const sandbox = await testSandbox({ domainkey: 777 });
    const answer = await call(sandbox, 'PUT', '/api/webhook/merge/event/MODULE_COMPLETE', { token: await accessToken(sandbox), body: SUBSCRIPTION });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ domainkey: 777, eventname: 'Module_Complete' });
  });
});

describe('users', () => {
  it('creates a user with an integer userkey and never returns the password; 409 for a taken name', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const answer = await call(sandbox, 'POST', '/api/user/create/domain/15435', {
      token,
      body: { username: 'Test-User-ab12', password: 'p4ssword-long', firstname: 'Test', email: 'test@example.test' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      userkey: 1001,
      username: 'Test-User-ab12',
      firstname: 'Test',
      lastname: null,
      email: 'test@example.test',
      domainkey: 15435,
      created: expect.any(String),
      modified: expect.any(String),
    });
    expect(answer.text).not.toContain('p4ssword-long');
    expect(await createUser(sandbox, token, 'Second-User')).toBe(1002);

    const taken = await call(sandbox, 'POST', '/api/user/create/domain/15435', { token, body: { username: 'test-user-AB12', password: 'p4ssword-long' } });
    expect(taken.status).toBe(409);
    expect((taken.json as { detail: string }).detail).toBe('The username "test-user-AB12" is taken in domain 15435 (userkey 1001).');
    expect(sandbox.users().map((u) => u.username)).toEqual(['Test-User-ab12', 'Second-User']);
  });

  it('counts the NFC and NFD spellings of one username as one user (409), and finds it by either to delete it', async () => {
    const sandbox = await testSandbox({ userDeleteRoute: { method: 'POST', path: '/api/user/remove/{username}' } });
    const token = await accessToken(sandbox);
    const composed = 'Jos\u00e9-Test'; // é as one code point (NFC: what most keyboards type)
    const decomposed = 'Jose\u0301-Test'; // e + combining acute (NFD: what macOS file names hold)
    expect(await createUser(sandbox, token, composed)).toBe(1001);
    const taken = await call(sandbox, 'POST', '/api/user/create/domain/15435', { token, body: { username: decomposed, password: 'p4ssword-long' } });
    expect(taken.status).toBe(409);
    expect((taken.json as { detail: string }).detail).toBe(`The username ${JSON.stringify(decomposed)} is taken in domain 15435 (userkey 1001).`);

    const removed = await call(sandbox, 'POST', `/api/user/remove/${encodeURIComponent(decomposed)}`, { token });
    expect(removed.status).toBe(200);
    expect(removed.json).toMatchObject({ userkey: 1001, username: composed });
    expect(sandbox.users()).toEqual([]);
  });

  it('answers 400 for a missing username and a short password', async () => {
    const sandbox = await testSandbox();
    const answer = await call(sandbox, 'POST', '/api/user/create/domain/15435', { token: await accessToken(sandbox), body: { password: 'short' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({
      errors: { username: ['The username field is required.'], password: ['The password must be at least 8 characters long.'] },
    });
  });

  it('deletes a user on the default route, then answers 404 for it', async () => {
    const sandbox = await testSandbox();
    const token = await accessToken(sandbox);
    const userkey = await createUser(sandbox, token, 'Doomed-User');
    const path = `/api/user/delete/domain/15435/user/${userkey}`;
    const deleted = await call(sandbox, 'DELETE', path, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ userkey, username: 'Doomed-User' });
    expect(sandbox.users()).toEqual([]);
    const again = await call(sandbox, 'DELETE', path, { token });
    expect(again.status).toBe(404);
    expect((again.json as { detail: string }).detail).toBe(`No user with userkey ${userkey} in domain 15435.`);
    expect((await call(sandbox, 'DELETE', path)).status).toBe(401);
  });

  it('serves whatever delete route the config names ({username} here)', async () => {
    const sandbox = await testSandbox({ userDeleteRoute: { method: 'POST', path: '/api/user/remove/{username}' } });
    const token = await accessToken(sandbox);
    await createUser(sandbox, token, 'Named User');
    expect((await call(sandbox, 'DELETE', '/api/user/delete/domain/15435/user/1001', { token })).status).toBe(404);
    const removed = await call(sandbox, 'POST', '/api/user/remove/Named%20User', { token });
    expect(removed.status).toBe(200);
    expect(sandbox.users()).toEqual([]);
  });
});

it('answers 404 JSON for an unknown route', async () => {
  const sandbox = await testSandbox();
  const answer = await call(sandbox, 'GET', '/api/nothing-here');
  expect(answer.status).toBe(404);
  expect(answer.json).toMatchObject({ status: 404, detail: 'No route for GET /api/nothing-here. GET / lists the routes this sandbox serves.' });
});
