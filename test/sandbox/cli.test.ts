/**
 * `npm run sandbox` as a user runs it: one ready line with the URL and credentials from the
 * config, one log line per request, and SIGTERM stops it with pending deliveries kept on disk.
 */
import { readFile } from 'node:fs/promises';
import { stripVTControlCharacters } from 'node:util';
import { expect, it } from 'vitest';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

it('prints one ready line, logs requests, and on SIGTERM keeps the pending delivery in the store, says so, and exits 143', async () => {
  const stateDir = await tempDir('sandbox');
  // Only the variables this test sets (startScript drops the shell's): a developer's own must not steer the sandbox.
  const env = {
    SANDBOX_PORT: '0',
    SANDBOX_CLIENT_ID: 'cli-client',
    SANDBOX_CLIENT_SECRET: 'cli-secret-value',
    SANDBOX_DOMAINKEY: '4242',
    SANDBOX_RETRY_SCHEDULE: '60000',
    WORKBENCH_STATE_DIR: stateDir,
  };
  const started = startScript('scripts/sandbox.ts', { env });
  const [, first = ''] = await started.waitFor(/^(.*)\n/);
  const match = /^Bracken sandbox ready at (http:\/\/127\.0\.0\.1:(\d+)) \(client_id cli-client, client_secret cli-…\(16 chars\), domainkey 4242\)$/.exec(
    first,
  );
  expect(match, first).not.toBeNull();
  const url = match?.[1] ?? '';

  const token = (
    (await await fetch(`${url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=cli-client&client_secret=cli-secret-value',
    }).then((r) => r.json())) as { access_token: string }
  ).access_token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const target = `http://127.0.0.1:${await closedPort()}/webhooks`;
  expect(
    (
      await fetch(`${url}/api/webhook/merge/event/User_Create`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ target, secret: 'cli-webhook-secret', active: true }),
      })
    ).status,
  ).toBe(200);
  expect(
    (await fetch(`${url}/api/user/create`, { method: 'POST', headers, body: JSON.stringify({ username: 'Cli-User', password: 'cli-password-1' }) })).status,
  ).toBe(200);

  const storeFile = `${stateDir}/sandbox/store-${match?.[2] ?? ''}.json`;
  await started.waitFor(/attempt 1: /);
  // Stopped by a signal: 143 for SIGTERM, as a shell reports it.
  expect(await started.stop()).toBe(143);

  const lines = started.lines();
  const log = lines.join('\n');
  expect(log).toMatch(/ POST \/connect\/token 200 \(\d+ ms\)/);
  expect(log).toMatch(/ User_Create for userkey 1001: 1 delivery queued/);
  expect(log).toMatch(new RegExp(`User_Create -> ${target} attempt 1: connect ECONNREFUSED .*; next attempt in 60000 ms`));
  expect(log).not.toContain(token);
  expect(lines.slice(-2)).toEqual([
    'SIGTERM: closing...',
    `Bracken sandbox stopped (SIGTERM); 1 delivery still pending is kept in ${storeFile} and goes out when the sandbox starts again on port ${match?.[2] ?? ''}.`,
  ]);
  const store = JSON.parse(await readFile(storeFile, 'utf8')) as { deliveries: { status: string; domainkey: number }[] };
  expect(store.deliveries).toMatchObject([{ status: 'pending', domainkey: 4242 }]);
});

it('Ctrl-C with nothing pending: says the sandbox stopped and that nothing was pending, exit 130', async () => {
  const stateDir = await tempDir('sandbox');
  const started = startScript('scripts/sandbox.ts', { env: { SANDBOX_PORT: '0', WORKBENCH_STATE_DIR: stateDir } });
  await started.waitFor(/^Delivery log .*\n/m);
  started.child.kill('SIGINT');
  expect(await started.exited()).toEqual({ code: 130, signal: null });
  expect(started.lines().slice(-2)).toEqual(['SIGINT: closing...', 'Bracken sandbox stopped (SIGINT); no delivery was pending.']);
  expect(started.stderr()).toBe('');
});

it('FORCE_COLOR (npm run sandbox | less -R): the log lines are dimmed like the rest, not only on a terminal', async () => {
  const stateDir = await tempDir('sandbox');
  const started = startScript('scripts/sandbox.ts', { env: { SANDBOX_PORT: '0', WORKBENCH_STATE_DIR: stateDir, FORCE_COLOR: '1' } });
  const [, url = ''] = await started.waitFor(/ready at (http:\/\/127\.0\.0\.1:\d+)/);
  await fetch(`${url}/.well-known/openid-configuration`).then((answer) => answer.body?.cancel());
  const [line = ''] = await started.waitFor(/^.*openid-configuration.*$/m);
  expect(line.startsWith('\u001b[2m')).toBe(true); // dim, then the time
  expect(stripVTControlCharacters(line)).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} GET \/\.well-known\/openid-configuration 200/);
  started.child.kill('SIGTERM');
  expect(await started.exited()).toEqual({ code: 143, signal: null });
});
