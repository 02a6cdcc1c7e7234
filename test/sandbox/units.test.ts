/**
 * The sandbox's pure pieces: event names, the ASCII payload encoding, the delete-route
 * template, token-request parsing and the access tokens.
 */
import { describe, expect, it } from 'vitest';
import { canonicalEventName, encodePayload, escapeNonAscii } from '../../scripts/sandbox/events.ts';
import { createIdleSignal } from '../../scripts/sandbox/idle-signal.ts';
import { compileRoute } from '../../scripts/sandbox/route-template.ts';
import { parseTokenRequest } from '../../scripts/sandbox/token-request.ts';
import { createTokenService, newSigningKey } from '../../scripts/sandbox/tokens.ts';

describe('canonicalEventName(name)', () => {
  it('maps any letter case to Bracken spelling and rejects unknown names', () => {
    expect(canonicalEventName('user_create')).toBe('User_Create');
    expect(canonicalEventName('COURSE_EXPIRED')).toBe('Course_Expired');
    expect(canonicalEventName('User-Create')).toBeUndefined();
    expect(canonicalEventName('')).toBeUndefined();
  });
});

describe('encodePayload(payload)', () => {
  const timestamp = '2025-01-02T03:04:05.678Z';

  it('writes compact JSON in a fixed key order', () => {
    expect(encodePayload({ eventname: 'User_Create', domainkey: 15435, userkey: 1001, username: 'Test-User-ab12', timestamp })).toBe(
      '{"eventname":"User_Create","domainkey":15435,"userkey":1001,"username":"Test-User-ab12","timestamp":"2025-01-02T03:04:05.678Z"}',
    );
  });

  it('escapes non-ASCII (and astral characters as two escapes) so the text parses back to the same name', () => {
    const text = encodePayload({ eventname: 'User_Delete', domainkey: 1, userkey: 2, username: 'José 😀 "q"', timestamp });
    expect(text).toContain('"username":"Jos\\u00e9 \\ud83d\\ude00 \\"q\\""');
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect((JSON.parse(text) as { username: string }).username).toBe('José 😀 "q"');
  });

  it("writes a learning event's fields between the user's and the timestamp, in the order of its shape", () => {
    const text = encodePayload({
      timestamp,
      expires: null,
      certificate: null,
      mark: 40,
      passed: false,
      modulekey: 2001,
      username: 'x',
      userkey: 2,
      domainkey: 1,
      eventname: 'Module_Complete',
    });
    expect(text).toBe(
      '{"eventname":"Module_Complete","domainkey":1,"userkey":2,"username":"x","modulekey":2001,"passed":false,"mark":40,"certificate":null,"expires":null,"timestamp":"2025-01-02T03:04:05.678Z"}',
    );
  });

  it('leaves plain ASCII untouched', () => {
    expect(escapeNonAscii('{"a":"b~"}')).toBe('{"a":"b~"}');
  });
});

describe('compileRoute(route)', () => {
  it('matches the default delete route and decodes its values', () => {
    const route = compileRoute({ method: 'DELETE', path: '/api/user/delete/domain/{domainkey}/user/{userkey}' });
    expect(route.match('DELETE', '/api/user/delete/domain/15435/user/1001')).toEqual({ domainkey: '15435', userkey: '1001' });
    expect(route.match('delete', '/api/user/delete/domain/15435/user/1001')).toEqual({ domainkey: '15435', userkey: '1001' });
    expect(route.match('POST', '/api/user/delete/domain/15435/user/1001')).toBeUndefined();
    expect(route.match('DELETE', '/api/user/delete/domain/15435/user/1001/extra')).toBeUndefined();
  });

  it('treats regex characters in the template literally and decodes %XX in values', () => {
    const route = compileRoute({ method: 'POST', path: '/api/user.remove/{username}' });
    expect(route.match('POST', '/api/user.remove/Ana%20Lu')).toEqual({ username: 'Ana Lu' });
    expect(route.match('POST', '/api/userXremove/Ana')).toBeUndefined();
    expect(route.match('POST', '/api/user.remove/%E0%A4%A')).toBeUndefined();
  });

  it('refuses unknown placeholders and a route that cannot name the user', () => {
    expect(() => compileRoute({ method: 'DELETE', path: '/api/user/{id}' })).toThrow(/Unknown placeholder \{id\}.*\{domainkey\}, \{userkey\}, \{username\}/);
    expect(() => compileRoute({ method: 'DELETE', path: '/api/domain/{domainkey}' })).toThrow(/must name the user with \{userkey\} or \{username\}/);
  });
});

describe('parseTokenRequest(contentType, body, authorization)', () => {
  const form = 'application/x-www-form-urlencoded';

  it('form-url-decodes the Basic credentials (RFC 6749 §2.3.1)', () => {
    const header = `Basic ${Buffer.from('test%2Dclient:a+b%3Ac').toString('base64')}`;
    expect(parseTokenRequest(form, 'grant_type=client_credentials', header)).toEqual({
      ok: true,
      request: { clientId: 'test-client', clientSecret: 'a b:c', via: 'basic', grantType: 'client_credentials', scope: undefined },
    });
  });

  it('answers invalid_client for a Basic header that is not base64 of id:secret', () => {
    expect(parseTokenRequest(form, 'grant_type=client_credentials', `Basic ${Buffer.from('no-colon').toString('base64')}`)).toMatchObject({
      ok: false,
      via: 'basic',
      error: 'invalid_client',
    });
  });

  it('accepts a charset on the form content type and an empty scope as none', () => {
    expect(parseTokenRequest(`${form}; charset=UTF-8`, 'grant_type=client_credentials&client_id=a&client_secret=b&scope=', undefined)).toMatchObject({
      ok: true,
      request: { via: 'post', scope: undefined },
    });
  });
});

describe('createTokenService({ key, issuer, holder, now })', () => {
  const holder = { clientId: 'demo', domainkey: 15435 };
  it('accepts its own token until exp, then reports it expired; rejects an altered one', () => {
    let now = 1_700_000_000_000;
    const tokens = createTokenService({ key: newSigningKey(), issuer: 'http://127.0.0.1:1', holder, now: () => now });
    const { accessToken, claims } = tokens.issue({ clientId: 'demo', domainkey: 15435, scope: 'bracken-api-scope', lifetimeSec: 1 });
    expect(claims.exp - claims.iat).toBe(1);
    expect(tokens.check(accessToken)).toEqual({ ok: true, claims });
    now += 999;
    expect(tokens.check(accessToken).ok).toBe(true);
    now += 1;
    expect(tokens.check(accessToken)).toMatchObject({ ok: false, reason: 'expired' });

    const [header, payload, signature] = accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, domainkey: 1 })).toString('base64url');
    expect(tokens.check(`${header}.${forged}.${signature}`)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(tokens.check(`${header}.${payload}`)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('rejects a signature spelled otherwise than it was issued (padding, spare bits, stray characters)', () => {
    const tokens = createTokenService({ key: newSigningKey(), issuer: 'http://127.0.0.1:1', holder });
    const { accessToken } = tokens.issue({ clientId: 'demo', domainkey: 15435, scope: 'bracken-api-scope', lifetimeSec: 60 });
    // 32 MAC bytes are 43 base64url characters: the last one carries 4 bits and 2 spare ones, so
    // flipping its lowest bit decodes to the same bytes. A JWT library takes only the one spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(accessToken.slice(-1));
    const spareBit = `${accessToken.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(tokens.check(spareBit)).toMatchObject({ ok: false, reason: 'bad_signature' });
    for (const altered of [`${accessToken}=`, `${accessToken}!`, `${accessToken} extra`, `${accessToken}.`]) {
      expect(tokens.check(altered)).toMatchObject({ ok: false, reason: 'malformed' });
    }
    expect(tokens.check(accessToken).ok).toBe(true);
  });

  it('rejects a token signed with the same key for another issuer', () => {
    const key = newSigningKey();
    const other = createTokenService({ key, issuer: 'http://127.0.0.1:2', holder }).issue({ clientId: 'demo', domainkey: 15435, scope: 's', lifetimeSec: 60 });
    expect(createTokenService({ key, issuer: 'http://127.0.0.1:1', holder }).check(other.accessToken)).toMatchObject({ ok: false, reason: 'wrong_issuer' });
  });
});

describe('createIdleSignal(isIdle, busy)', () => {
  it('resolves at once when idle, else on the notify() that finds it idle', async () => {
    let queued = 1;
    const idle = createIdleSignal(
      () => queued === 0,
      () => `${queued} queued`,
    );
    let woken = false;
    const waiting = idle.wait().then(() => (woken = true));
    idle.notify(); // still busy: nobody wakes
    await Promise.resolve();
    expect(woken).toBe(false);
    queued = 0;
    idle.notify();
    await waiting;
    expect(woken).toBe(true);
    await expect(idle.wait()).resolves.toBeUndefined();
  });

  it('rejects after the timeout naming what is busy, and on failAll', async () => {
    const idle = createIdleSignal(
      () => false,
      () => '2 queued',
    );
    await expect(idle.wait(10)).rejects.toThrow('Still busy after 10 ms: 2 queued.');
    const waiting = idle.wait();
    idle.failAll(new Error('closed'));
    await expect(waiting).rejects.toThrow('closed');
  });
});

describe('readyLine()', () => {
  it('prints the published demo secret in full, and a secret of your own only shortened', async () => {
    const { readyLine } = await import('../../scripts/sandbox/index.ts');
    const base = { url: 'http://127.0.0.1:4010', clientId: 'demo', domainkey: 15435 };
    expect(readyLine({ ...base, clientSecret: 'demo-secret' })).toBe(
      'Bracken sandbox ready at http://127.0.0.1:4010 (client_id demo, client_secret demo-secret, domainkey 15435)',
    );
    expect(readyLine({ ...base, clientSecret: 'my-own-long-secret' })).toContain('client_secret my-o…(18 chars),');
    expect(readyLine({ ...base, clientSecret: 'my-own-long-secret' })).not.toContain('my-own-long-secret');
  });
});
