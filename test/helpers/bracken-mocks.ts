/**
 * The suite's one mock Bracken, for the token, API client, state and step tests: a workbench in a
 * fresh state folder with a `bracken`-mode config against the real Bracken URLs, and the exact
 * requests Bracken must receive there, as nock interceptors (test/setup.ts fails a test that
 * leaves one unused).
 */
import nock from 'nock';
import { loadConfig, type Config, type Env } from '../../steps/lib/core/config.ts';
import { openState, type State } from '../../steps/lib/core/state.ts';
import { tempDir } from './temp-dir.ts';

export const IDENTITY = 'https://identity.brackenlearning.com';
export const API = 'https://api.brackenlearning.com';
export const CLIENT_ID = 'bracken-client';
const CLIENT_SECRET = 'client-secret-0123456789abcdef';
export const DOMAINKEY = 15435;
/** A fixed clock: tests decide when time passes. */
export const T0 = Date.parse('2025-01-01T12:00:00.000Z');

export interface TestWorkbench {
  /** The state folder (a temp folder, removed after the test). */
  readonly dir: string;
  readonly state: State;
  /** A bracken-mode config with `extra` variables on top. */
  config(extra?: Env): Config;
}

/** A workbench for the real Bracken URLs, in a temp state folder of its own. */
export async function testWorkbench(): Promise<TestWorkbench> {
  const dir = await tempDir('state');
  return {
    dir,
    state: openState(dir),
    config: (extra: Env = {}) =>
      loadConfig({
        env: {
          BRACKEN_CLIENT_ID: CLIENT_ID,
          BRACKEN_CLIENT_SECRET: CLIENT_SECRET,
          BRACKEN_DOMAINKEY: String(DOMAINKEY),
          WORKBENCH_STATE_DIR: dir,
          ...extra,
        },
      }),
  };
}

interface TokenFormOptions {
  clientId?: string;
  secret?: string;
  scope?: string;
}

/** The exact form body openid-client sends with client_secret_post. */
function tokenForm(options: TokenFormOptions = {}): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: options.clientId ?? CLIENT_ID,
    client_secret: options.secret ?? CLIENT_SECRET,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
}

/**
 * The one POST /connect/token the identity server (IDENTITY unless `identity`) must receive:
 * form-encoded, exactly `tokenForm(options)`. The test gives the reply.
 */
export function tokenRequest(options: TokenFormOptions & { identity?: string } = {}): nock.Interceptor {
  return nock(options.identity ?? IDENTITY)
    .matchHeader('content-type', /^application\/x-www-form-urlencoded/)
    .post('/connect/token', tokenForm(options));
}

/** `tokenRequest(options)` answered with `accessToken`. */
export function mockToken(accessToken: string, options: Parameters<typeof tokenRequest>[0] & { expiresIn?: number } = {}): nock.Scope {
  return tokenRequest(options).reply(200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: options.expiresIn ?? 3600,
    scope: options.scope ?? 'bracken-api-scope',
  });
}

/**
 * The API as it must be called: the bearer token and `accept: application/json` on every request,
 * and `content-type: application/json` when a body is sent; with `{ body: false }` no content type at all.
 */
export function mockApi(accessToken: string, options: { body?: boolean } = {}): nock.Scope {
  const withBody = options.body !== false;
  const scope = nock(API, withBody ? {} : { badheaders: ['content-type'] })
    .matchHeader('authorization', `Bearer ${accessToken}`)
    .matchHeader('accept', 'application/json');
  return withBody ? scope.matchHeader('content-type', 'application/json') : scope;
}
