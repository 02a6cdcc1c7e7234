/**
 * Step 5 against a real journal (written with steps/lib/journal/, as the listener writes it) in a
 * fresh state folder: a verifying delivery, a tampered one with its diagnosis, none at all, and a
 * body whose re-serialization differs. One run goes through `npm run step:5` for the exit codes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import { loadConfig, type Config } from '../../steps/lib/core/config.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import type { DeliveryRecord } from '../../steps/lib/delivery/record.ts';
import { STEP_VERIFY_FAILED } from '../../steps/lib/core/errors.ts';
import { journalDir, openJournal } from '../../steps/lib/journal/journal.ts';
import { describeTarget } from '../../steps/lib/core/run-step.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { openState } from '../../steps/lib/core/state.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SECRET = 'step-five-secret-0123456789abcdef';
const COMPACT = '{"event":"User_Create","data":{"userkey":42,"username":"Test-User-1"}}';

let dir = '';
let config: Config;
beforeEach(async () => {
  dir = await tempDir('step5');
  config = loadConfig({ env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET } });
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

async function run(cfg: Config = config): Promise<{ lines: string[]; result?: Awaited<ReturnType<typeof verifyLatestDelivery>>; error?: unknown }> {
  const lines: string[] = [];
  try {
    const result = await verifyLatestDelivery({ config: cfg, log: (line) => lines.push(line) });
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
    expect(lines).toContain(`Delivery: ${delivery.id}, POST /webhooks at ${delivery.receivedAt} (the listener answered 200, valid)`);
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
    const { lines, error } = await run();
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
      event: 'user_create',
      target: 'x',
      active: true,
      subscribedAt: 'x',
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

  it('npm run step:5 exits 0 for a verifying delivery and 1 with the hint when there is none', async () => {
    const env = { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET, LISTEN_SCHEME: 'bracken' };
    const step = () => runScript('steps/05-verify-delivery.ts', { env }).then(({ code, stdout, stderr }) => ({ code, out: stdout, err: stderr }));
    const none = await step();
    expect(none.code).toBe(1);
    expect(none.err).toContain('[WORKBENCH_STEP_VERIFY_FAILED]');
    expect(none.err).toContain('Next: Run `npm run step:3` and leave it running, then `npm run step:4`');
    await journal(record(COMPACT, [authorization(COMPACT)]));
    const ok = await step();
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Match: yes, with the current secret.');
  });
});
