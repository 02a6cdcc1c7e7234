/**
 * What survives a restart (subscriptions, users, pending deliveries, tokens), sandboxes side by
 * side, and the errors a user meets at start (port taken, corrupt store).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_CORRUPT, STATE_WRITE_FAILED } from '../../steps/lib/core/errors.ts';
import { SANDBOX_PORT_IN_USE } from '../../scripts/sandbox/errors.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { sandboxOptionsFromConfig, startSandbox } from '../../scripts/sandbox/index.ts';
import { storeFileFor } from '../../scripts/sandbox/store.ts';
import { freePort as closedPort } from '../../scripts/walkthrough/free-port.ts';
import { startCommand, startScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/until.ts';
import { accessToken, call, createUser, startReceiver, subscribe, testSandbox } from './helpers.ts';

describe('restart', () => {
  it('keeps subscriptions, users, tokens and a pending delivery, which is then delivered with the same bytes', async () => {
    const stateDir = await tempDir('sandbox');
    const first = await testSandbox({ stateDir, retryScheduleMs: [30_000] });
    const receiver = await startReceiver({ statuses: [503] });
    const token = await accessToken(first);
    await subscribe(first, token, receiver.url, 'restart-secret-1');
    await createUser(first, token, 'Survivor');
    await receiver.waitFor(1);
    await until(() => first.deliveries()[0]?.attempts === 1);
    await first.close();

    const onDisk = JSON.parse(await readFile(first.storeFile, 'utf8')) as { deliveries: { status: string }[] };
    expect(onDisk.deliveries.map((d) => d.status)).toEqual(['pending']);
    expect(first.storeFile).toBe(storeFileFor(stateDir, first.port));

    const second = await testSandbox({ stateDir, port: first.port });
    expect(second.url).toBe(first.url);
    expect(second.users().map((u) => u.username)).toEqual(['Survivor']);
    expect(second.subscriptions()).toMatchObject([{ eventname: 'User_Create', target: receiver.url, active: true }]);
    await second.whenIdle(10_000);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.body.equals(receiver.requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    expect(receiver.requests[1]?.headers.authorization).toBe(receiver.requests[0]?.headers.authorization);
    expect(second.deliveries()).toMatchObject([{ status: 'delivered', attempts: 2, lastStatus: 200 }]);

    // The signing key is in the store too, so a token cached before the restart still works.
    expect(await createUser(second, token, 'After-Restart')).toBe(1002);
  });

  it('refuses, with 401 invalid_token, a token from a run whose client or domainkey this one no longer has', async () => {
    const stateDir = await tempDir('sandbox');
    const first = await testSandbox({ stateDir });
    const token = await accessToken(first);
    await first.close();

    // Same store, same signing key; SANDBOX_DOMAINKEY changed. The old token would act on a domain
    // this sandbox no longer serves (a 403 naming 15435), where a 401 makes the steps get a new one.
    const second = await testSandbox({ stateDir, port: first.port, domainkey: 999 });
    const answer = await call(second, 'POST', '/api/user/create/domain/999', { token, body: { username: 'Moved', password: 'Passw0rd!' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="The token is invalid"');
    expect(answer.json).toMatchObject({
      detail:
        'The access token was issued to client "demo" for domain 15435; this sandbox now serves client "demo", domain 999. Get a new one from POST /connect/token.',
    });
    await second.close();

    const third = await testSandbox({ stateDir, port: first.port, clientId: 'acme' });
    expect((await call(third, 'POST', '/api/user/create', { token, body: { username: 'Moved', password: 'Passw0rd!' } })).status).toBe(401);
    expect(third.users()).toEqual([]);
  });
});

describe('side by side', () => {
  it('runs two sandboxes on their own ports and state folders without mixing anything', async () => {
    const a = await testSandbox();
    const b = await testSandbox();
    const receiverA = await startReceiver();
    const receiverB = await startReceiver();
    const tokenA = await accessToken(a);
    const tokenB = await accessToken(b);
    await subscribe(a, tokenA, receiverA.url, 'secret-for-a');
    await subscribe(b, tokenB, receiverB.url, 'secret-for-b');
    await Promise.all([createUser(a, tokenA, 'Only-In-A'), createUser(b, tokenB, 'Only-In-B')]);
    await Promise.all([a.whenIdle(10_000), b.whenIdle(10_000)]);

    expect(a.port).not.toBe(b.port);
    expect(receiverA.requests.map((r) => (JSON.parse(r.body.toString('utf8')) as { username: string }).username)).toEqual(['Only-In-A']);
    expect(receiverB.requests.map((r) => (JSON.parse(r.body.toString('utf8')) as { username: string }).username)).toEqual(['Only-In-B']);
    expect((await call(b, 'GET', '/sandbox/users', { token: tokenA })).json).toMatchObject([{ username: 'Only-In-B' }]);
    expect((await call(b, 'PUT', '/api/webhook/merge/event/User_Create', { token: tokenA, body: {} })).status).toBe(401);
  });

  it('gives two sandboxes on one state folder one store file each (named by port)', async () => {
    const stateDir = await tempDir('sandbox');
    const a = await testSandbox({ stateDir });
    const b = await testSandbox({ stateDir });
    await createUser(a, await accessToken(a), 'User-Of-A');
    await createUser(b, await accessToken(b), 'User-Of-B');
    expect(a.storeFile).not.toBe(b.storeFile);
    const usersIn = async (file: string) => (JSON.parse(await readFile(file, 'utf8')) as { users: { username: string }[] }).users.map((u) => u.username);
    expect(await usersIn(a.storeFile)).toEqual(['User-Of-A']);
    expect(await usersIn(b.storeFile)).toEqual(['User-Of-B']);
  });

  // SANDBOX_HOST=::1 (or localhost) and the default 127.0.0.1 both bind port 4010. Before, the
  // second `npm run sandbox` started on the first one's store-4010.json and each rewrote the
  // file over the other's users and deliveries; now it stops, naming the running sandbox.
  it('refuses a store another running sandbox holds (the same port on another address) with STATE_LOCKED, and leaves it alone', async () => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    const file = storeFileFor(stateDir, port);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, STORE_TEXT);
    // This test's own process stands for the sandbox that runs: it is alive, and not the child.
    await writeFile(`${file}.lock`, String(process.pid));
    const second = startScript('scripts/sandbox.ts', { args: ['--port', String(port)], env: { WORKBENCH_STATE_DIR: stateDir } });
    expect(await second.exited()).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toBe(
      `Error: Another sandbox (pid ${process.pid}) is using the store ${file}. [WORKBENCH_STATE_LOCKED]\n` +
        `Next: It listens on the same port on another address (SANDBOX_HOST). Use that sandbox, stop it (Ctrl-C in its terminal), or give this one another SANDBOX_PORT or WORKBENCH_STATE_DIR. If pid ${process.pid} is not a sandbox (a number reused after a restart), delete ${file}.lock.\n`,
    );
    expect(await readFile(file, 'utf8')).toBe(STORE_TEXT);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(String(process.pid));
  });

  it('refuses a state folder that is a file with STATE_WRITE_FAILED naming the file in the way, and releases the port', async () => {
    const stateDir = join(await tempDir('sandbox'), 'a-file');
    await writeFile(stateDir, 'not a folder');
    const port = await closedPort();
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port, stateDir };
    await expect(startSandbox(options)).rejects.toMatchObject({
      code: STATE_WRITE_FAILED,
      message: `Cannot write ${storeFileFor(stateDir, port)}.lock: ${stateDir} is a file, not a folder.`,
      hint: `Move ${stateDir} away (the workbench makes the folder), then run this again.`,
    });
    expect((await startReceiver({ port })).port).toBe(port);
  });

  it('takes over the lock of a sandbox that is gone (killed), and removes its own when it closes', async () => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    const file = storeFileFor(stateDir, port);
    await mkdir(dirname(file), { recursive: true });
    const gone = startCommand([process.execPath, '-e', '']);
    await gone.exited();
    await writeFile(`${file}.lock`, String(gone.child.pid));
    const sandbox = await testSandbox({ port, stateDir });
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(String(process.pid));
    await sandbox.close();
    await expect(readFile(`${file}.lock`, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('start errors', () => {
  it('refuses a taken port with SANDBOX_PORT_IN_USE and a hint', async () => {
    const receiver = await startReceiver();
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port: receiver.port, stateDir: await tempDir('sandbox') };
    await expect(startSandbox(options)).rejects.toMatchObject({
      code: SANDBOX_PORT_IN_USE,
      message: `Port ${receiver.port} on 127.0.0.1 is already in use.`,
      hint: expect.stringContaining('SANDBOX_PORT'),
    });
  });

  it('refuses a corrupt store with STATE_CORRUPT and leaves the file as it was', async () => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    const file = storeFileFor(stateDir, port);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '{"version": 1, "users": [');
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port, stateDir };
    await expect(startSandbox(options)).rejects.toMatchObject({ code: STATE_CORRUPT, hint: expect.stringContaining('Move') });
    expect(await readFile(file, 'utf8')).toBe('{"version": 1, "users": [');
    // The port is released again after the failed start.
    const receiver = await startReceiver({ port });
    expect(receiver.port).toBe(port);
  });

  // A store is a JSON file people edit by hand (to rescue a delivery, to drop a user). Before, a
  // null record crashed the start with a TypeError and a stack trace, and a delivery without its
  // target and attempt count was sent in a loop ("undefined -> undefined attempt NaN").
  it.each([
    ['a null delivery', { deliveries: [null] }, 'deliveries[0] is null, not an object'],
    ['a delivery without target', { deliveries: [{ ...storedDelivery(), target: undefined }] }, 'deliveries[0].target is missing, not a string'],
    [
      'a delivery with a bad status',
      { deliveries: [storedDelivery(), { ...storedDelivery(), status: 'done' }] },
      'deliveries[1].status is "done", not one of pending, delivered, failed, cancelled',
    ],
    ['a user without userkey', { users: [{ username: 'x' }] }, 'users[0].userkey is missing, not a whole number'],
    [
      'a subscription with an unknown event',
      {
        subscriptions: [{ domainkey: 15435, eventname: 'User_Created', target: 'http://127.0.0.1:1/', secret: 's', active: true, created: 'x', modified: 'x' }],
      },
      'subscriptions[0].eventname is "User_Created", not one of',
    ],
    ['learning that is a list', { learning: [] }, 'learning is a list, not an object'],
    [
      'a certificate with no dates',
      { learning: { nextKey: 2001, modules: [], courses: [], completions: [], certificates: [{ certificatekey: 1 }] } },
      'learning.certificates[0].domainkey is missing',
    ],
  ])('refuses a store with %s with STATE_CORRUPT naming the record, and leaves the file as it was', async (_what, edit, problem) => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    const file = storeFileFor(stateDir, port);
    await mkdir(dirname(file), { recursive: true });
    const text = JSON.stringify({ version: 1, signingKey: 'k', nextUserkey: 1001, subscriptions: [], users: [], deliveries: [], ...edit });
    await writeFile(file, text);
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port, stateDir };
    await expect(startSandbox(options)).rejects.toMatchObject({
      code: STATE_CORRUPT,
      message: expect.stringContaining(`The sandbox store ${file} is not a sandbox store (version 1): ${problem}`),
      hint: expect.stringContaining('correct what this message names'),
    });
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('still loads a store written before deliveries kept their attempts (no attemptLog, reason, endedAt)', async () => {
    const stateDir = await tempDir('sandbox');
    const port = await closedPort();
    const file = storeFileFor(stateDir, port);
    await mkdir(dirname(file), { recursive: true });
    const { attemptLog: _log, reason: _reason, endedAt: _ended, ...older } = { ...storedDelivery(), status: 'delivered' };
    await writeFile(file, JSON.stringify({ version: 1, signingKey: 'k', nextUserkey: 1001, subscriptions: [], users: [], deliveries: [older] }));
    const sandbox = await testSandbox({ port, stateDir });
    expect(sandbox.deliveries()).toMatchObject([{ id: 'd-1', status: 'delivered', attemptLog: [], reason: null, endedAt: null }]);
  });

  it('rejects an empty retry schedule with a TypeError coded ERR_INVALID_ARG_VALUE', async () => {
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port: 0, stateDir: await tempDir('sandbox'), retryScheduleMs: [] };
    await expect(startSandbox(options)).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('rejects an Expiring lead time under a day with a TypeError coded ERR_INVALID_ARG_VALUE', async () => {
    const options = { ...sandboxOptionsFromConfig(loadConfig({ env: {} })), port: 0, stateDir: await tempDir('sandbox'), expiringDays: 0 };
    await expect(startSandbox(options)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
      message: '[sandbox] "expiringDays" must be a whole number of days, at least 1, got 0',
    });
  });
});

/** A delivery record as the store keeps it. */
function storedDelivery() {
  return {
    id: 'd-1',
    eventname: 'User_Create',
    domainkey: 15435,
    target: 'http://127.0.0.1:1/webhooks',
    body: '{}',
    authorization: 'HMACSHA256 x',
    createdAt: '2026-01-01T00:00:00.000Z',
    status: 'pending',
    attempts: 0,
    attemptLog: [],
    nextAttemptAt: null,
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
    reason: null,
    endedAt: null,
  };
}

/** An empty store, as text. */
const STORE_TEXT = JSON.stringify({ version: 1, signingKey: 'k', nextUserkey: 1001, subscriptions: [], users: [], deliveries: [] });
