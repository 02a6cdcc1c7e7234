/**
 * The sandbox's identity server: discovery, POST /connect/token by client_secret_basic and
 * client_secret_post, the RFC 6749 §5.2 errors, and openid-client against it.
 */
import { get } from 'node:http';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { testSandbox, tokenRequest } from './helpers.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id).replace(/-/g, '%2D')}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('GET /.well-known/openid-configuration', () => {
  it('names the sandbox origin as issuer (no trailing slash) and its token endpoint', async () => {
    const sandbox = await testSandbox();
    const response = await fetch(`${sandbox.url}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc).toMatchObject({
      issuer: sandbox.url,
      token_endpoint: `${sandbox.url}/connect/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      grant_types_supported: ['client_credentials'],
    });
  });
});

describe('discovery by the name the client used', () => {
  it('names http://localhost:<port> as issuer and token endpoint when asked there, so openid-client discovery works by either name', async () => {
    const sandbox = await testSandbox();
    const byName = `http://localhost:${sandbox.port}`;
    const response = await fetch(`${byName}/.well-known/openid-configuration`);
    expect(await response.json()).toMatchObject({ issuer: byName, token_endpoint: `${byName}/connect/token` });
    // A name that is not the sandbox's (DNS rebinding, a proxy) is not echoed: the sandbox's own URL is.
    // (node:http, since fetch sets Host itself.)
    const other = await new Promise<string>((resolve, reject) => {
      const request = get(`${sandbox.url}/.well-known/oauth-authorization-server`, { headers: { host: 'evil.example' } }, (answer) => {
        let text = '';
        answer.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        answer.on('end', () => resolve(text)).on('error', reject);
      });
      request.on('error', reject);
    });
    expect(JSON.parse(other)).toMatchObject({ issuer: sandbox.url, token_endpoint: `${sandbox.url}/connect/token` });

    const config = await oidc.discovery(new URL(byName), 'demo', undefined, oidc.ClientSecretBasic('demo-secret'), {
      execute: [oidc.allowInsecureRequests],
    });
    expect(config.serverMetadata().issuer).toBe(byName);
    const token = await oidc.clientCredentialsGrant(config);
    const merge = await fetch(`${sandbox.url}/api/webhook/merge/event/User_Create`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'https://example.test/webhooks', secret: 'a-long-webhook-secret', active: true }),
    });
    expect(merge.status).toBe(200);
  });
});

describe('POST /connect/token', () => {
  it('issues a Bearer token by client_secret_basic, form-url-decoding the id (test%2Dclient)', async () => {
    const sandbox = await testSandbox({ clientId: 'test-client', clientSecret: 's3cr3t' });
    const response = await tokenRequest(sandbox, { grant_type: 'client_credentials' }, { authorization: basic('test-client', 's3cr3t') });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'bracken-api-scope' });
    expect(String(body.access_token).length).toBeGreaterThan(40);
  });

  it('reads a Basic secret with a "%" that starts no escape as IdentityServer does: the "%" stays', async () => {
    // requests' HTTPBasicAuth (under the tutorial's Python sample) sends the secret as it is, not
    // form-url-encoded; IdentityServer's Uri.UnescapeDataString leaves an escape it cannot read alone.
    const sandbox = await testSandbox({ clientSecret: '50%off%zz%4' });
    const raw = `Basic ${Buffer.from('demo:50%off%zz%4').toString('base64')}`;
    const response = await tokenRequest(sandbox, { grant_type: 'client_credentials' }, { authorization: raw });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'Bearer' });
    expect((await tokenRequest(sandbox, { grant_type: 'client_credentials' }, { authorization: basic('demo', '50%off%zz%4') })).status).toBe(200);
  });

  it('issues a token by client_secret_post, with scope bracken-api-scope', async () => {
    const sandbox = await testSandbox({ tokenLifetimeSec: 120 });
    const response = await tokenRequest(sandbox, {
      grant_type: 'client_credentials',
      client_id: 'demo',
      client_secret: 'demo-secret',
      scope: 'bracken-api-scope',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 120, scope: 'bracken-api-scope' });
  });

  it('gives two requests two different tokens', async () => {
    const sandbox = await testSandbox();
    const form = { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' };
    const [a, b] = await Promise.all([tokenRequest(sandbox, form), tokenRequest(sandbox, form)]);
    const tokenOf = async (r: Response) => ((await r.json()) as { access_token: string }).access_token;
    expect(await tokenOf(a)).not.toBe(await tokenOf(b));
  });

  const cases: [string, Record<string, string>, Record<string, string>, number, string, string | null][] = [
    ['a wrong secret by post', { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'nope' }, {}, 400, 'invalid_client', null],
    [
      'a wrong secret by basic',
      { grant_type: 'client_credentials' },
      { authorization: basic('demo', 'nope') },
      401,
      'invalid_client',
      'Basic realm="Bracken sandbox"',
    ],
    // The client tried Basic (RFC 6749 §5.2: 401 and a challenge), however little it sent.
    [
      'a Basic header with nothing after it',
      { grant_type: 'client_credentials' },
      { authorization: 'Basic' },
      401,
      'invalid_client',
      'Basic realm="Bracken sandbox"',
    ],
    ['an unknown client id', { grant_type: 'client_credentials', client_id: 'other', client_secret: 'demo-secret' }, {}, 400, 'invalid_client', null],
    ['no credentials at all', { grant_type: 'client_credentials' }, {}, 400, 'invalid_client', null],
    ['grant_type=password', { grant_type: 'password', client_id: 'demo', client_secret: 'demo-secret' }, {}, 400, 'unsupported_grant_type', null],
    ['scope=openid', { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret', scope: 'openid' }, {}, 400, 'invalid_scope', null],
    ['no grant_type', { client_id: 'demo', client_secret: 'demo-secret' }, {}, 400, 'invalid_request', null],
    [
      'basic and post at once',
      { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' },
      { authorization: basic('demo', 'demo-secret') },
      400,
      'invalid_request',
      null,
    ],
  ];
  it.each(cases)('answers %s with the RFC 6749 error', async (_name, form, headers, status, error, challenge) => {
    const sandbox = await testSandbox();
    const response = await tokenRequest(sandbox, form, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ error, error_description: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('demo-secret');
  });

  it('answers invalid_request to a JSON body (the grant is a form) and to a repeated parameter', async () => {
    const sandbox = await testSandbox();
    const json = await fetch(`${sandbox.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    const repeated = await fetch(`${sandbox.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret&scope=a&scope=b',
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request', error_description: 'The parameter "scope" is sent more than once.' });
  });
});

describe('POST /connect/token with a body it cannot read', () => {
  // The body parser's own failures (415, 413, 400) used to reach the app's problem+json handler,
  // which no OAuth client reads, and without no-store. They are §5.2 invalid_request like the rest.
  const FORM = { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' };
  const FORM_TYPE = 'application/x-www-form-urlencoded';
  const cases: [string, Record<string, string>, Record<string, string>, RegExp][] = [
    ['a charset it cannot decode', FORM, { 'content-type': `${FORM_TYPE}; charset=klingon` }, /charset "klingon"/i],
    ['a body over 16 KB', { ...FORM, pad: 'x'.repeat(20_000) }, {}, /larger than 16384 bytes/],
    ['a content-encoding it does not know', FORM, { 'content-encoding': 'compress' }, /Content-Encoding "compress"/],
    ['gzip that is not gzip', FORM, { 'content-encoding': 'gzip' }, /could not be read/],
  ];
  it.each(cases)('answers %s with RFC 6749 invalid_request, no-store, not problem+json', async (_name, form, headers, description) => {
    const sandbox = await testSandbox();
    const response = await tokenRequest(sandbox, form, headers);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(description) });
  });
});

describe('openid-client against the sandbox', () => {
  it('gets a token with discovery (client_secret_basic, client id needing form-url-encoding)', async () => {
    const sandbox = await testSandbox({ clientId: 'test-client', clientSecret: 'se:cr+et' });
    const config = await oidc.discovery(new URL(sandbox.url), 'test-client', undefined, oidc.ClientSecretBasic('se:cr+et'), {
      execute: [oidc.allowInsecureRequests],
    });
    const token = await oidc.clientCredentialsGrant(config);
    expect(token.token_type).toBe('bearer');
    expect(token.scope).toBe('bracken-api-scope');
    expect(token.expiresIn()).toBeGreaterThan(3500);
  });

  it('gets a token without discovery (client_secret_post, scope bracken-api-scope)', async () => {
    const sandbox = await testSandbox();
    const config = new oidc.Configuration({ issuer: sandbox.url, token_endpoint: `${sandbox.url}/connect/token` }, 'demo', 'demo-secret');
    oidc.allowInsecureRequests(config);
    const token = await oidc.clientCredentialsGrant(config, { scope: 'bracken-api-scope' });
    expect(token.access_token).toMatch(/^eyJ/);
  });

  it('surfaces invalid_client for a wrong secret', async () => {
    const sandbox = await testSandbox();
    const config = new oidc.Configuration({ issuer: sandbox.url, token_endpoint: `${sandbox.url}/connect/token` }, 'demo', 'wrong');
    oidc.allowInsecureRequests(config);
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_client', status: 400 });
  });
});
