/**
 * `npm run sandbox` as a user runs it: one ready line with the URL and credentials from the
 * config, one log line per request, and SIGTERM stops it with pending deliveries kept on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { cleanup, closedPort, tempDir } from './helpers.ts';

let child: ChildProcess | undefined;

afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
  }
  child = undefined;
  await cleanup();
});

it('prints one ready line, logs requests, and on SIGTERM keeps the pending delivery in the store', async () => {
  const stateDir = await tempDir();
  // Only the variables this test sets: a developer's .env must not leak into the sandbox under test.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SANDBOX_|BRACKEN_|WORKBENCH_)/.test(name)));
  Object.assign(env, {
    SANDBOX_PORT: '0',
    SANDBOX_CLIENT_ID: 'cli-client',
    SANDBOX_CLIENT_SECRET: 'cli-secret-value',
    SANDBOX_DOMAINKEY: '4242',
    SANDBOX_RETRY_SCHEDULE: '60000',
    WORKBENCH_STATE_DIR: stateDir,
    NO_COLOR: '1',
  });
  const started = spawn(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = started;
  const lines: string[] = [];
  let stderr = '';
  started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: started.stdout ?? process.stdin });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
    void exited.then((code) => reject(new Error(`sandbox exited (${code}) before it was ready: ${stderr}`)));
  });

  const first = await ready;
  const match = /^Bracken sandbox ready at (http:\/\/127\.0\.0\.1:(\d+)) \(client_id cli-client, client_secret cli-…\(16 chars\), domainkey 4242\)$/.exec(first);
  expect(match, first).not.toBeNull();
  const url = match?.[1] ?? '';

  const token = (await (await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=cli-client&client_secret=cli-secret-value',
  }).then((r) => r.json())) as { access_token: string }).access_token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const target = `http://127.0.0.1:${await closedPort()}/webhooks`;
  expect((await fetch(`${url}/api/webhook/merge/event/User_Create`, { method: 'PUT', headers, body: JSON.stringify({ target, secret: 'cli-webhook-secret', active: true }) })).status).toBe(200);
  expect((await fetch(`${url}/api/user/create`, { method: 'POST', headers, body: JSON.stringify({ username: 'Cli-User', password: 'cli-password-1' }) })).status).toBe(200);

  const storeFile = `${stateDir}/sandbox/store-${match?.[2] ?? ''}.json`;
  await new Promise<void>((resolve) => {
    const check = () => (lines.some((line) => line.includes('attempt 1: ')) ? resolve() : setTimeout(check, 20));
    check();
  });
  started.kill('SIGTERM');
  expect(await exited).toBe(0);

  const log = lines.join('\n');
  expect(log).toMatch(/ POST \/connect\/token 200 \(\d+ ms\)/);
  expect(log).toMatch(/ User_Create for userkey 1001: 1 delivery queued/);
  expect(log).toMatch(new RegExp(`User_Create -> ${target} attempt 1: connect ECONNREFUSED .*; next attempt in 60000 ms`));
  expect(log).not.toContain(token);
  expect(lines.at(-1)).toBe(`Bracken sandbox stopped; 1 pending deliveries kept in ${storeFile}.`);
  const store = JSON.parse(await readFile(storeFile, 'utf8')) as { deliveries: { status: string; domainkey: number }[] };
  expect(store.deliveries).toMatchObject([{ status: 'pending', domainkey: 4242 }]);
});
