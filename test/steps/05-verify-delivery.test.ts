/**
 * Step 5 against a real journal (written with steps/lib/journal/, as the listener writes it) in a
 * fresh state folder: a verifying delivery, a tampered one with its diagnosis, none at all, and a
 * body whose re-serialization differs. One run goes through `npm run step:5` for the exit codes.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import { loadConfig, type Config } from '../../steps/lib/core/config.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import type { DeliveryRecord } from '../../steps/lib/delivery/record.ts';
import { CONFIG_INVALID, STEP_PRECONDITION, STEP_VERIFY_FAILED } from '../../steps/lib/core/errors.ts';
import { EXAMPLE_EVENTS } from '../helpers/events.ts';
import { journalDir, openJournal } from '../../steps/lib/journal/journal.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { openState, type UserState } from '../../steps/lib/core/state.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SECRET = 'step-five-secret-0123456789abcdef';
const COMPACT = '{"event":"User_Create","data":{"userkey":42,"username":"Test-User-1"}}';

let dir = '';
let config: Config;
/** The user step 4 recorded, whom COMPACT's User_Create names. */
let user: UserState;
beforeEach(async () => {
  dir = await tempDir('step5');
  config = loadConfig({ env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET } });
  user = { apiUrl: config.apiUrl, domainkey: config.domainkey, userkey: 42, username: 'Test-User-1', createdAt: new Date(1_700_000_000_000).toISOString() };
  await openState(dir).write('user', user);
});

let sequence = 0;
/** A delivery as the listener journals it: raw header pairs and the body bytes in base64. */
function record(body: string, headers: [string, string][], overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  sequence += 1;
  return validDeliveryRecord(
    {
      id: `${(1_700_000_000_000 + sequence).toString(36)}-t${sequence}`,
      receivedAt: new Date(1_700_000_000_000 + sequence * 1000).toISOString(),
      body: Buffer.from(body, 'utf8'),
      headers: [['Host', '127.0.0.1:5000'], ['Content-Type', 'application/json'], ...headers],
    },
    overrides,
  );
}

/** Bracken's header over `signedBody`, as the sandbox sends it. */
const authorization = (signedBody: string, secret = SECRET): [string, string] => [
  'Authorization',
  bracken.sign({ body: Buffer.from(signedBody), secret }).authorization ?? '',
];

async function journal(...records: DeliveryRecord[]): Promise<void> {
  const written = await openJournal({ dir: journalDir(dir), maxBytes: 1024 * 1024, keepFiles: 2 });
  for (const r of records) await written.appendDelivery(r, 'done');
  await written.close();
}

async function run(
  cfg: Config = config,
  options: { event?: string; latest?: boolean } = {},
): Promise<{ lines: string[]; result?: Awaited<ReturnType<typeof verifyLatestDelivery>>; error?: unknown }> {
  const lines: string[] = [];
  try {
    const result = await verifyLatestDelivery({ config: cfg, log: (line) => lines.push(line), ...options });
    return { lines, result };
  } catch (error) {
    return { lines, error };
  }
}

describe('step 5: verify the captured delivery', () => {
  it('a verifying delivery: shows body, redacted secret, computed and received signature, and the match', async () => {
    const header = authorization(COMPACT);
    const delivery = record(COMPACT, [header]);
    await journal(delivery);
    const { lines, result, error } = await run();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ scheme: 'bracken', secretIndex: 0, delivery: { id: delivery.id } });
    expect(lines[0]).toBe(describeTarget(config));
    expect(lines).toContain(`Looking for: the User_Create delivery about Test-User-1 (userkey 42), the user step 4 created at ${user.createdAt}.`);
    expect(lines).toContain(`Delivery: ${delivery.id}, POST /webhooks at ${delivery.receivedAt} (the listener answered 200, valid)`);
    expect(lines).toContain('Event: User_Create');
    expect(lines).toContain(`Payload: The payload does not fit a Bracken event (provisional, the sandbox's guess): "eventname" is missing.`);
    expect(lines).toContain(`Raw body (${COMPACT.length} bytes, exactly as received):`);
    expect(lines).toContain(`  ${COMPACT}`);
    expect(lines).toContain('Secret: step…(33 chars), from WEBHOOK_SECRET');
    expect(lines).toContain(`Computed: Authorization: ${header[1]}`);
    expect(lines).toContain(`Received: Authorization: ${header[1]}`);
    expect(lines).toContain('Match: yes, with the current secret.');
    expect(lines).toContain(
      `Re-serialized: JSON.stringify(JSON.parse(body)) gives back the same ${COMPACT.length} bytes, so the tutorial's check would agree on this delivery (by luck of the formatting).`,
    );
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('a delivery forwarded to the user’s app (LISTEN_FORWARD_TO): says what the app answered last, and that the delivery is dead; a token in the URL shortened', async () => {
    const delivery = record(COMPACT, [authorization(COMPACT)]);
    const written = await openJournal({ dir: journalDir(dir), maxBytes: 1024 * 1024, keepFiles: 2 });
    await written.appendDelivery(delivery, 'pending');
    const token = 'Zq81vLmP4xRt7YwK2nBc9dHf6jGs3aE0';
    const refused = (at: string) => ({
      url: `http://127.0.0.1:8000/webhooks?token=${token}`,
      at,
      latencyMs: 5,
      response: {
        status: 403,
        headers: [['content-type', 'text/html']] as [string, string][],
        body: 'Do not trust, not from a Bracken webhook',
        bodyTruncated: false,
      },
    });
    const error = 'forward to http://127.0.0.1:8000/webhooks?token=Zq81…(32 chars): your app answered 403';
    await written.appendOutcomes([{ id: delivery.id, handler: 'failed', error, report: { forward: refused('2026-05-04T09:30:00.000Z') } }]);
    await written.appendOutcomes([{ id: delivery.id, handler: 'dead', error, report: { forward: refused('2026-05-04T09:30:01.000Z') } }]);
    await written.close();

    const { lines, error: thrown } = await run();
    // The signature verifies: the app's 403 is another matter (another secret, most often), and step 5 says so.
    expect(thrown).toBeUndefined();
    expect(lines).toContain(
      'Your app: forwarded to http://127.0.0.1:8000/webhooks?token=Zq81…(32 chars) 2 times; the last try, at 2026-05-04T09:30:01.000Z: 403 in 5 ms "Do not trust, not from a Bracken webhook". ' +
        'It is dead (no retries left): fix your app, then Retry now in the inspector sends it again.',
    );
    expect(lines.join('\n')).not.toContain(token);
  });

  it('a tampered delivery: non-zero (STEP_VERIFY_FAILED) with the diagnosis', async () => {
    await journal(record(`${COMPACT}\n`, [authorization(COMPACT)]));
    const { lines, error } = await run();
    expect(error).toMatchObject({
      name: 'StepError',
      code: STEP_VERIFY_FAILED,
      hint: 'Save bodies without a trailing newline (printf, not echo), or verify the bytes exactly as received.',
    });
    expect((error as Error).message).toMatch(/^Delivery .+ does not verify: signature_mismatch\.$/);
    expect(lines).toContain('Match: no: signature_mismatch: The signature does not match the body under the configured secret.');
    expect(lines.some((line) => line.startsWith('Diagnosis: trailing_newline_added: The signature matches the body without its final newline'))).toBe(true);
  });

  it('no delivery: STEP_VERIFY_FAILED with a hint to run steps 3 and 4', async () => {
    const { error } = await run();
    expect(error).toMatchObject({
      code: STEP_VERIFY_FAILED,
      message: `No delivery has been captured yet (journal: ${journalDir(dir)}).`,
      hint: 'Run `npm run step:3` and leave it running, then `npm run step:4` to create a test user, which fires User_Create.',
    });
  });

  it('a body whose re-serialization differs: shows what differs, and that the tutorial would compute another HMAC', async () => {
    const raw = '{ "event": "User_Create", "name": "Ren\\u00e9e", "score": 1.0 }\n';
    await journal(record(raw, [authorization(raw)]));
    // It names no user: only --latest takes it, and says why it would not count otherwise.
    const { lines, error } = await run(config, { latest: true });
    expect(lines).toContain(
      "--latest: the newest delivery, on purpose, though it is not this walkthrough's User_Create: names no user (no userkey or username).",
    );
    expect(error).toBeUndefined();
    const reserialized = JSON.stringify(JSON.parse(raw));
    expect(lines).toContain(
      `Re-serialized: JSON.stringify(JSON.parse(body)) differs from the raw body (${Buffer.byteLength(raw)} bytes -> ${Buffer.byteLength(reserialized)} bytes): ` +
        'whitespace between tokens, \\u escapes written as the characters, number spelling (1.0 → 1), a trailing newline.',
    );
    expect(lines).toContain('  First difference at byte 1: raw "{ \\"event\\": \\"U" vs re-serialized "{\\"event\\":\\"Use".');
    expect(lines).toContain(
      `  The tutorial's check would compute ${bracken.sign({ body: Buffer.from(reserialized), secret: SECRET }).authorization} from those bytes: not what was signed.`,
    );
    expect(lines.some((line) => line.startsWith('Why raw bytes:'))).toBe(true);
  });

  it('prefers the latest POST to the webhook path, and takes the secret from webhook.json plus previous secrets', async () => {
    const old = 'older-secret-from-before-rotation';
    await openState(dir).write('webhook', {
      secret: 'current-secret-from-step-2',
      apiUrl: 'x',
      domainkey: 1,
      subscriptions: [{ event: 'user_create', target: 'x', active: true, subscribedAt: 'x' }],
    });
    const cfg = loadConfig({ env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_PREVIOUS_SECRETS: old } });
    const onPath = record(COMPACT, [authorization(COMPACT, old)]);
    await journal(onPath, record('', [], { method: 'GET', url: '/favicon.ico', status: 404, verdict: 'rejected', code: 'not_found' }));
    const { lines, result, error } = await run(cfg);
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ delivery: { id: onPath.id }, secretIndex: 1 });
    expect(lines).toContain('Secret: curr…(26 chars), from webhook.json (step 2); and 1 previous secret(s) from WEBHOOK_PREVIOUS_SECRETS');
    expect(lines).toContain('Match: yes, with previous secret #1.');
  });

  it('no user recorded: STEP_PRECONDITION, pointing at step 4 and --latest', async () => {
    await journal(record(COMPACT, [authorization(COMPACT)]));
    await openState(dir).remove('user');
    const { error } = await run();
    expect(error).toMatchObject({
      code: STEP_PRECONDITION,
      message: "No test user is recorded (user.json), so step 5 cannot tell which delivery is this walkthrough's.",
      hint: 'Run `npm run step:4` (it records the user it creates, and its User_Create is the delivery to verify), or `npm run step:5 -- --latest` to verify the newest delivery whatever it is.',
    });
  });

  it('a user recorded on another Bracken: STEP_PRECONDITION naming both', async () => {
    await journal(record(COMPACT, [authorization(COMPACT)]));
    await openState(dir).write('user', { ...user, domainkey: 777 });
    const { error } = await run();
    expect(error).toMatchObject({
      code: STEP_PRECONDITION,
      message: `user.json records a user on ${config.apiUrl} (domainkey 777), not on ${config.apiUrl} (domainkey ${config.domainkey}).`,
    });
  });

  it('--event module_complete: verifies the Module_Complete about the recorded user, passing over the newer delivery of another user', async () => {
    const mine = JSON.stringify({ ...EXAMPLE_EVENTS.Module_Complete, domainkey: config.domainkey, userkey: 42, username: 'Test-User-1' });
    const theirs = JSON.stringify({ ...EXAMPLE_EVENTS.Module_Complete, domainkey: config.domainkey, userkey: 43, username: 'Trigger-User-x' });
    const older = record(COMPACT, [authorization(COMPACT)]);
    const wanted = record(mine, [authorization(mine)], { event: 'Module_Complete' });
    const newer = record(theirs, [authorization(theirs)], { event: 'Module_Complete' });
    await journal(older, wanted, newer);
    const { lines, result, error } = await run(config, { event: 'MODULE_complete' });
    expect(error).toBeUndefined();
    expect(result?.delivery.id).toBe(wanted.id);
    expect(lines).toContain('Passed over 1 newer delivery:');
    expect(lines).toContain(
      `  ${newer.id} at ${newer.receivedAt}, Module_Complete: about Trigger-User-x (userkey 43), not Test-User-1 (userkey 42) that step 4 recorded: another user`,
    );
    expect(lines).toContain(
      'Event: Module_Complete (userkey 42, username "Test-User-1", modulekey 2001, passed true, mark 100, certificate "http://127.0.0.1:4010/sandbox/certificates/2002", expires "2026-01-01T12:00:00.000Z")',
    );
  });

  it('an unknown --event is a ConfigError naming the nine events', async () => {
    const { error } = await run(config, { event: 'module_completed' });
    expect(error).toMatchObject({ code: CONFIG_INVALID, message: '--event "module_completed" is not a Bracken event.' });
  });

  it('npm run step:5 exits 0 for a verifying delivery, with --latest too, and 1 with the hint for an unknown --event; none, or none of this walkthrough, is refused with the hint', async () => {
    // Through the script: exit 0, --latest and --event (exit 1 with the code and the hint). The two
    // other refusals call verifyLatestDelivery in this process (what the script runs), with the same message.
    const env = { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET, LISTEN_SCHEME: 'bracken' };
    const step = (...args: string[]) =>
      runScript('steps/05-verify-delivery.ts', { env, args }).then(({ code, stdout, stderr }) => ({ code, out: stdout, err: stderr }));
    const none = await run(loadConfig({ env }));
    expect(none.error).toMatchObject({
      code: STEP_VERIFY_FAILED,
      hint: expect.stringContaining('Run `npm run step:3` and leave it running, then `npm run step:4`'),
    });
    await journal(record(COMPACT, [authorization(COMPACT)]));
    const ok = await step();
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Match: yes, with the current secret.');

    // The same delivery, with another user recorded: not this walkthrough's (an error, exit 1), unless --latest.
    await openState(dir).write('user', { ...user, userkey: 43, username: 'Test-User-2' });
    const other = await run(loadConfig({ env }));
    expect(other.error).toMatchObject({
      code: STEP_VERIFY_FAILED,
      message: expect.stringContaining('No User_Create delivery about Test-User-2 (userkey 43) was stored (journal: '),
    });
    const latest = await step('--latest');
    expect(latest.code).toBe(0);
    expect(latest.out).toContain('Match: yes, with the current secret.');
    const wrong = await step('--event', 'nope');
    expect([wrong.code, wrong.err.includes('[WORKBENCH_CONFIG_INVALID]')]).toEqual([1, true]);
    expect(wrong.err).toContain('Next: Use one of User_Create, ');
  });

  it('reads a journal written before format 2 (NDJSON, body in base64) and verifies its delivery', async () => {
    // The format-1 fixture of test/journal (written by the listener as of dd5eb2b): user 4's User_Create is its newest delivery.
    await mkdir(journalDir(dir), { recursive: true });
    await copyFile(join(import.meta.dirname, '../fixtures/journal-format-1/journal-000001.ndjson'), join(journalDir(dir), 'journal-000001.ndjson'));
    const fixtureConfig = loadConfig({ env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: 'fixture-secret' } });
    await openState(dir).write('user', { ...user, userkey: 1004, username: 'Test-User-4' });
    const { lines, result, error } = await run(fixtureConfig);
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ scheme: 'bracken', secretIndex: 0 });
    expect(lines).toContain('Raw body (85 bytes, exactly as received):');
    expect(lines).toContain('  {"eventname":"User_Create","domainkey":15435,"userkey":1004,"username":"Test-User-4"}');
    expect(lines).toContain('Received: authorization: HMACSHA256 fcc1XYY5u+eJ4Zt8tXTeore27qFBhKg7jmFJ6vEKzKU=');
    expect(lines).toContain('Match: yes, with the current secret.');
  });
});
