/**
 * Test fixtures for the sandbox: a sandbox on a free port with its own temp state folder, a tiny
 * node:http webhook receiver that records the exact bytes it gets, and small HTTP helpers.
 * Everything opened here is closed after the test (test/helpers/cleanup.ts).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { sandboxOptionsFromConfig, startSandbox, type RunningSandbox, type SandboxOptions } from '../../scripts/sandbox/index.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** Starts a sandbox with the config defaults, on a free port, a temp state folder and a short retry schedule. */
export async function testSandbox(overrides: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const defaults = sandboxOptionsFromConfig(loadConfig({ env: {} }));
  const stateDir = overrides.stateDir ?? (await tempDir('sandbox'));
  const sandbox = await startSandbox({ ...defaults, port: 0, retryScheduleMs: [50, 100], ...overrides, stateDir });
  onCleanup(() => sandbox.close());
  return sandbox;
}

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The exact bytes on the wire. */
  readonly body: Buffer;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly requests: Received[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A webhook receiver answering each request with the next of `statuses` (then 200). */
export async function startReceiver(options: { port?: number; statuses?: number[] } = {}): Promise<Receiver> {
  const statuses = [...(options.statuses ?? [])];
  const requests: Received[] = [];
  let waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(statuses.shift() ?? 200, { 'content-type': 'text/plain' }).end('OK');
      const current = waiters;
      waiters = [];
      for (const wake of current) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  onCleanup(close);
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    requests,
    async waitFor(count) {
      while (requests.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return requests;
    },
    close,
  };
}

/** POSTs a form to the token endpoint. */
export function tokenRequest(sandbox: RunningSandbox, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** An access token by client_secret_post. */
export async function accessToken(sandbox: RunningSandbox): Promise<string> {
  const response = await tokenRequest(sandbox, { grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** Calls the sandbox API with a bearer token (or none) and a JSON body. */
export async function call(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; contentType?: string } = {},
): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Subscribes `target` to User_Create (or `event`) with `secret`. */
export async function subscribe(
  sandbox: RunningSandbox,
  token: string,
  target: string,
  secret: string,
  options: { event?: string; active?: boolean } = {},
): Promise<JsonAnswer> {
  const answer = await call(sandbox, 'PUT', `/api/webhook/merge/domain/${sandbox.domainkey}/event/${options.event ?? 'user_create'}`, {
    token,
    body: { target, secret, active: options.active ?? true },
  });
  if (answer.status !== 200) throw new Error(`subscribe failed: ${answer.status} ${answer.text}`);
  return answer;
}

/** Creates a user; returns its userkey. */
export async function createUser(sandbox: RunningSandbox, token: string, username: string): Promise<number> {
  const answer = await call(sandbox, 'POST', `/api/user/create/domain/${sandbox.domainkey}`, { token, body: { username, password: 'correct-horse-battery' } });
  if (answer.status !== 200) throw new Error(`create user failed: ${answer.status} ${answer.text}`);
  return (answer.json as { userkey: number }).userkey;
}

/**
 * A sandbox with one pending User_Create delivery per name, oldest first, to a receiver that is down
 * (`target`); their next attempts are a minute away, so nothing changes while a test looks.
 */
export async function sandboxWithPending(usernames: readonly string[]): Promise<{ sandbox: RunningSandbox; target: string }> {
  const target = `http://127.0.0.1:${await closedPort()}/webhooks`;
  const sandbox = await testSandbox({ retryScheduleMs: [60_000] });
  const token = await accessToken(sandbox);
  await subscribe(sandbox, token, target, 'pending-test-secret-0123456789abcdef');
  for (const name of usernames) await createUser(sandbox, token, name);
  return { sandbox, target };
}
