/**
 * Shared fixtures for the token, API client and step tests: a fresh state folder per test, a
 * `bracken`-mode config against the real Bracken URLs (which nock intercepts), exact token
 * interceptors, and a log that records what a step prints.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { loadConfig, type Config, type Env } from '../../steps/lib/core/config.ts';
import { openState, type State } from '../../steps/lib/core/state.ts';

export const IDENTITY = 'https://identity.brackenlearning.com';
export const API = 'https://api.brackenlearning.com';
export const CLIENT_ID = 'bracken-client';
export const CLIENT_SECRET = 'client-secret-0123456789abcdef';
export const DOMAINKEY = 15435;
/** A fixed clock: tests decide when time passes. */
export const T0 = Date.parse('2025-01-01T12:00:00.000Z');

export interface Sandbox {
  readonly dir: string;
  readonly state: State;
  /** A bracken-mode config with `extra` variables on top. */
  config(extra?: Env): Config;
  cleanup(): Promise<void>;
}

/** A temp state folder (removed by `cleanup`) and configs that use it. */
export async function makeSandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'workbench-h2-'));
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
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The exact form body openid-client sends with client_secret_post. */
export function tokenForm(options: { clientId?: string; secret?: string; scope?: string } = {}): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: options.clientId ?? CLIENT_ID,
    client_secret: options.secret ?? CLIENT_SECRET,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
}

/** One POST /connect/token with exactly `tokenForm(options)` that returns `accessToken`. */
export function mockToken(
  accessToken: string,
  options: { clientId?: string; secret?: string; scope?: string; expiresIn?: number; identity?: string } = {},
): nock.Scope {
  return nock(options.identity ?? IDENTITY)
    .matchHeader('content-type', /^application\/x-www-form-urlencoded/)
    .post('/connect/token', tokenForm(options))
    .reply(200, { access_token: accessToken, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600, scope: options.scope ?? 'bracken-api-scope' });
}

/** An API interceptor that checks the bearer token and, when a body is sent, the JSON content type. */
export function mockApi(accessToken: string, options: { json?: boolean } = {}): nock.Scope {
  const scope = nock(API).matchHeader('authorization', `Bearer ${accessToken}`).matchHeader('accept', 'application/json');
  return options.json === false ? scope : scope.matchHeader('content-type', 'application/json');
}

/** A `log` that keeps every line. */
export function captureLog(): { log: (line: string) => void; lines: string[]; text: () => string } {
  const lines: string[] = [];
  return { log: (line: string) => void lines.push(line), lines, text: () => lines.join('\n') };
}

/** Runs `promise` and returns what it threw (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  throw new Error('expected a rejection, but the promise resolved');
}
