/**
 * `npm start` keeps the newest 5 run folders (`<state>/walkthrough/<time>-<pid>`) and prunes the
 * rest, but never one whose state still records something left in the real Bracken: after a run
 * that stopped early, that folder is the only record of the user and subscriptions step 6 must
 * remove. Run folders on disk, no network: the walkthrough stops (no public URL) right after pruning.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runWalkthrough } from '../../scripts/walkthrough.ts';
import { openState, type UserState, type WebhookState } from '../../steps/lib/core/state.ts';
import { API, CLIENT_ID, DOMAINKEY } from '../helpers/bracken-mocks.ts';
import { captureLog, quietStream } from '../helpers/output.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const USER: UserState = { apiUrl: API, domainkey: DOMAINKEY, userkey: 4711, username: 'Test-User-left0001', createdAt: '2025-01-01T00:00:00.000Z' };
const TARGET = 'https://hooks.example.test/webhooks';
const webhook = (active: boolean): WebhookState => ({
  apiUrl: API,
  domainkey: DOMAINKEY,
  secret: 'recorded-webhook-secret-0123456789',
  subscriptions: [{ event: 'user_create', target: TARGET, active, subscribedAt: '2025-01-01T00:00:00.000Z' }],
});

/** A run folder named as npm start names them, the `n`th oldest, holding `files`. */
async function runFolder(parent: string, n: number, files: { user?: UserState; webhook?: WebhookState; sandbox?: boolean; raw?: string } = {}) {
  const dir = join(parent, `2025-01-0${n < 10 ? 1 : 2}T00-00-0${n % 10}-000Z-${1000 + n}`);
  await mkdir(dir, { recursive: true });
  const state = openState(dir);
  if (files.user !== undefined) await state.write('user', files.user);
  if (files.webhook !== undefined) await state.write('webhook', files.webhook);
  if (files.raw !== undefined) await writeFile(join(dir, 'user.json'), files.raw);
  // npm start against the sandbox keeps the sandbox's store in the run folder.
  if (files.sandbox === true) {
    await mkdir(join(dir, 'sandbox'));
    await writeFile(join(dir, 'sandbox', 'store-4010.json'), '{}');
  }
  return dir;
}

test('pruning keeps the newest 5, plus any older real-Bracken run whose state still records a user or an active subscription', async () => {
  const stateDir = await tempDir('run-folders');
  const parent = join(stateDir, 'walkthrough');
  const userLeft = await runFolder(parent, 1, { user: USER, webhook: webhook(false) });
  const subscriptionLeft = await runFolder(parent, 2, { webhook: webhook(true) });
  await runFolder(parent, 3, { webhook: webhook(false) }); // cleaned up by step 6: nothing left
  await runFolder(parent, 4, { user: USER, webhook: webhook(true), sandbox: true }); // the sandbox went with its run
  await runFolder(parent, 5); // stopped before step 2
  const unreadable = await runFolder(parent, 6, { raw: '{"userkey": 47' });
  const newest: string[] = [];
  for (const n of [7, 8, 9, 10]) newest.push(await runFolder(parent, n, { sandbox: true }));

  const out = captureLog();
  // Real credentials but no public URL: the walkthrough stops after making its folder, before any request.
  const env = {
    BRACKEN_CLIENT_ID: CLIENT_ID,
    BRACKEN_CLIENT_SECRET: 'client-secret-0123456789abcdef',
    BRACKEN_DOMAINKEY: String(DOMAINKEY),
    WORKBENCH_STATE_DIR: stateDir,
  };
  const result = await runWalkthrough({ env, log: out.log, progress: quietStream });
  expect(result.ok).toBe(false);

  expect((await readdir(parent)).map((name) => join(parent, name)).sort()).toEqual([userLeft, subscriptionLeft, unreadable, ...newest, result.runDir].sort());
  expect(out.lines.slice(0, 3)).toEqual([
    `Kept ${userLeft}: that earlier run left the test user Test-User-left0001 (userkey 4711) in Bracken. Remove them with \`WORKBENCH_STATE_DIR=${userLeft} npm run step:6\`.`,
    `Kept ${subscriptionLeft}: that earlier run left the active subscription user_create -> ${TARGET} in Bracken. Remove them with \`WORKBENCH_STATE_DIR=${subscriptionLeft} npm run step:6\`.`,
    `Kept ${unreadable}: its user.json cannot be read, and may record a test user or subscription still in Bracken.`,
  ]);
  // What is kept is left as it was.
  expect(await openState(userLeft).read('user')).toEqual(USER);
});

test('once step 6 has removed what a kept folder records, the next run prunes it', async () => {
  const stateDir = await tempDir('run-folders');
  const parent = join(stateDir, 'walkthrough');
  const kept = await runFolder(parent, 1, { user: USER });
  for (const n of [2, 3, 4, 5]) await runFolder(parent, n);
  const env = {
    BRACKEN_CLIENT_ID: CLIENT_ID,
    BRACKEN_CLIENT_SECRET: 'client-secret-0123456789abcdef',
    BRACKEN_DOMAINKEY: String(DOMAINKEY),
    WORKBENCH_STATE_DIR: stateDir,
  };
  await runWalkthrough({ env, log: () => undefined, progress: quietStream });
  expect(await readdir(parent)).toContain(kept.slice(parent.length + 1));

  await openState(kept).remove('user'); // what step 6 does once the user is deleted
  await runWalkthrough({ env, log: () => undefined, progress: quietStream });
  expect(await readdir(parent)).not.toContain(kept.slice(parent.length + 1));
  expect(await readdir(parent)).toHaveLength(5);
});
