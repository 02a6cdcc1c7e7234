/**
 * The sandbox on a full disk (issue 14, fault 2): it answered 500 to user creates but kept the users
 * (a retry got 409), their deliveries stayed `pending` with 0 attempts until a restart, and 0-byte
 * `.tmp` files were left behind. The disk is real: a tmpfs in a private mount namespace (`unshare -rm`,
 * as test/steps/03-listen-disk-full.test.ts does), with `npm run sandbox` started on it as a process.
 * The test fills and frees the disk through the shell that owns the mount.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { startCommand, type StartedCommand } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { startReceiver } from './helpers.ts';

const PAGE = 4096;
const TMPFS_PAGES = 64;

/** The sandbox on a fresh tmpfs; `fill` / `free` / `stop` on stdin change the disk or end the run, which then lists the folder. */
const SCRIPT = `
  set -u
  state="$STATE"
  mount -t tmpfs -o size=${TMPFS_PAGES * PAGE} tmpfs "$state" || { echo "cannot mount a tmpfs: run as root or allow user namespaces" >&2; exit 90; }
  WORKBENCH_STATE_DIR="$state" SANDBOX_PORT=0 SANDBOX_RETRY_SCHEDULE=100 "$NODE" --import tsx "$SANDBOX" </dev/null &
  pid=$!
  while read -r command; do
    case "$command" in
      fill) dd if=/dev/zero of="$state/fill" bs=${PAGE} 2>/dev/null; echo "::filled::" ;;
      free) rm -f "$state/fill"; echo "::freed::" ;;
      stop) break ;;
    esac
  done
  kill -TERM $pid
  wait $pid
  code=$?
  echo "::files::"
  find "$state" -mindepth 1 | sed "s#^$state/##"
  exit $code`;

/** `npm run sandbox` on its own tmpfs, and its URL. */
async function sandboxOnTmpfs(): Promise<{ url: string; run: StartedCommand }> {
  // The mount point is the test's own temp folder (removed after the test); the tmpfs lives only in the shell's namespace.
  const state = await tempDir('full-disk');
  const run = startCommand(['unshare', '-rm', 'sh', '-c', SCRIPT], {
    env: { NODE: process.execPath, SANDBOX: join(PROJECT_ROOT, 'scripts/sandbox.ts'), STATE: state },
    input: true,
    // A failed test kills the shell and the sandbox it started, together.
    processGroup: true,
    label: 'the sandbox on a tmpfs',
  });
  const [, url = ''] = await run.waitFor(/^Bracken sandbox ready at (\S+) /m);
  return { url, run };
}

it('a write that fails on a full disk changes nothing: the 500 can be retried as is, no delivery is stranded, no .tmp is left', async () => {
  const { url, run } = await sandboxOnTmpfs();
  const receiver = await startReceiver();
  const form = 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret';
  const tokenAnswer = await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const subscription = { target: receiver.url, secret: 'full-disk-secret-0123456789abcdef', active: true };
  expect((await api('PUT', '/api/webhook/merge/event/user_create', subscription)).status).toBe(200);

  run.write('fill\n');
  await run.waitFor(/^::filled::$/m);
  const usernames = ['Disk-1', 'Disk-2', 'Disk-3', 'Disk-4', 'Disk-5'];
  for (const username of usernames) {
    const answer = await api('POST', '/api/user/create', { username, password: 'full-disk-password' });
    expect(answer.status).toBe(500);
    expect(answer.json.detail).toMatch(
      /^Cannot write \/\S+\/sandbox\/store-\d+\.json: the disk is full \(ENOSPC\)\. Nothing was changed: send the request again/,
    );
  }
  // A merge that would re-point the subscription is taken back too.
  expect((await api('PUT', '/api/webhook/merge/event/user_create', { ...subscription, target: 'http://127.0.0.1:9/elsewhere' })).status).toBe(500);
  expect((await api('GET', '/sandbox/users')).json).toEqual([]);
  expect((await api('GET', '/sandbox/deliveries')).json).toEqual([]);
  expect((await api('GET', '/sandbox/subscriptions')).json).toMatchObject([{ target: receiver.url, active: true }]);

  run.write('free\n');
  await run.waitFor(/^::freed::$/m);
  const created = [];
  for (const username of usernames) created.push(await api('POST', '/api/user/create', { username, password: 'full-disk-password' }));
  expect(created.map((answer) => [answer.status, answer.json.username, answer.json.userkey])).toEqual(usernames.map((name, i) => [200, name, 1001 + i]));
  // Delivered by the running sandbox, no restart needed.
  await receiver.waitFor(5);
  const sent = receiver.requests.map((request) => (JSON.parse(request.body.toString('utf8')) as { username: string }).username);
  expect(sent.sort()).toEqual(usernames);

  run.write('stop\n');
  const { code } = await run.exited();
  // SIGTERM stopped it cleanly: 143, as a shell reports it.
  expect(code, run.stderr()).toBe(143);
  const files = (run.stdout().split('::files::\n')[1] ?? '').split('\n').filter((line) => line !== '');
  expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
  expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^sandbox\/store-\d+\.json$/)]));
  const log = run.stdout() + run.stderr();
  expect(log).toMatch(/POST \/api\/user\/create: Cannot write \S+: the disk is full \(ENOSPC\)\. Nothing was changed: .* \[WORKBENCH_STATE_WRITE_FAILED\]/);
  expect(log).not.toContain('internal error');
  expect(log).not.toMatch(/^\s+at /m);
});

it('the learning routes on a full disk change nothing either: no module, no completion or certificate, no delivery', async () => {
  const { url, run } = await sandboxOnTmpfs();
  const receiver = await startReceiver();
  const tokenAnswer = await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as unknown };
  };
  const secret = 'full-disk-secret-0123456789abcdef';
  expect((await call('PUT', '/api/webhook/merge/event/module_complete', { target: receiver.url, secret, active: true })).status).toBe(200);
  const user = (await call('POST', '/api/user/create', { username: 'Learner', password: 'full-disk-password' })).json as { userkey: number };
  const module = (await call('POST', '/sandbox/modules', { title: 'Before the disk filled' })).json as { modulekey: number };

  run.write('fill\n');
  await run.waitFor(/^::filled::$/m);
  const made = await call('POST', '/sandbox/modules', { title: 'Never stored' });
  expect(made.status).toBe(500);
  expect((made.json as { detail: string }).detail).toMatch(/the disk is full \(ENOSPC\)\. Nothing was changed/);
  const completed = await call('POST', `/sandbox/modules/${module.modulekey}/complete`, { userkey: user.userkey, passed: true, mark: 90 });
  expect(completed.status).toBe(500);
  expect((await call('GET', '/sandbox/modules')).json).toEqual([expect.objectContaining({ modulekey: module.modulekey })]);
  expect((await call('GET', '/sandbox/certificates')).json).toEqual([]);
  expect((await call('GET', '/sandbox/deliveries')).json).toEqual([]);

  run.write('free\n');
  await run.waitFor(/^::freed::$/m);
  // The same request again, now that the disk has room: one completion, one certificate, one delivery.
  const again = await call('POST', `/sandbox/modules/${module.modulekey}/complete`, { userkey: user.userkey, passed: true, mark: 90 });
  expect(again.status).toBe(200);
  expect((await call('GET', '/sandbox/certificates')).json).toHaveLength(1);
  await receiver.waitFor(1);
  expect(receiver.requests.map((request) => (JSON.parse(request.body.toString('utf8')) as { eventname: string }).eventname)).toEqual(['Module_Complete']);

  run.write('stop\n');
  const { code } = await run.exited();
  // SIGTERM stopped it cleanly: 143, as a shell reports it.
  expect(code, run.stderr()).toBe(143);
  const files = (run.stdout().split('::files::\n')[1] ?? '').split('\n').filter((line) => line !== '');
  expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
});
