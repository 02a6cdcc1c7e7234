/**
 * Issue 11, "the steps never reassure falsely": each case below printed a reassurance (step 5
 * `Match: yes` and exit 0, step 4 "should now arrive", npm start's lines for other terminals)
 * where it should have warned. Every test here failed before the fix.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runWalkthrough } from '../../scripts/walkthrough.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import { loadConfig, type Config } from '../../steps/lib/core/config.ts';
import { STEP_VERIFY_FAILED } from '../../steps/lib/core/errors.ts';
import { openState, type UserState } from '../../steps/lib/core/state.ts';
import type { DeliveryRecord, HandlerState } from '../../steps/lib/delivery/record.ts';
import { journalDir, openJournal } from '../../steps/lib/journal/journal.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { DOMAINKEY, mockApi, mockToken, T0, testWorkbench, type TestWorkbench } from '../helpers/bracken-mocks.ts';
import { validDeliveryRecord } from '../helpers/delivery-record.ts';
import { captureLog, quietStream } from '../helpers/output.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { sandboxEnv } from '../e2e/helpers.ts';

const SECRET = 'issue-eleven-secret-0123456789abcdef';
const SANDBOX_AGENT: [string, string] = ['User-Agent', 'bracken-webhook-workbench-sandbox'];

/** A legacy (single-subscription) webhook.json, as every version writes or reads it. */
function webhookFile(config: Config, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiUrl: config.apiUrl,
    domainkey: config.domainkey,
    event: 'user_create',
    target: 'http://127.0.0.1:5000/webhooks',
    secret: SECRET,
    active: true,
    subscribedAt: '2025-01-01T11:00:00.000Z',
    ...overrides,
  };
}

describe('step 5 verifies the delivery of this walkthrough, not just the newest one', () => {
  let dir = '';
  let sequence = 0;
  beforeEach(async () => {
    dir = await tempDir('issue11-step5');
  });

  /** A valid, signed User_Create (or other) delivery about `user`, as the listener journals it. */
  function delivery(user: { userkey: number; username: string }, options: { event?: string; extra?: [string, string][] } & Partial<DeliveryRecord> = {}) {
    const { event = 'User_Create', extra = [], ...overrides } = options;
    sequence += 1;
    const body = JSON.stringify({ eventname: event, domainkey: DOMAINKEY, userkey: user.userkey, username: user.username, timestamp: '2025-01-01T12:00:00Z' });
    return validDeliveryRecord(
      {
        id: `${(T0 + sequence).toString(36)}-i${sequence}`,
        receivedAt: new Date(T0 + sequence * 1000).toISOString(),
        body: Buffer.from(body),
        headers: [
          ['Content-Type', 'application/json'],
          ['Authorization', bracken.sign({ body: Buffer.from(body), secret: SECRET }).authorization ?? ''],
          ...extra,
        ],
      },
      { event, ...overrides },
    );
  }

  /** Journals each record with its handler state (`done` unless it says `duplicate`). */
  async function journal(...records: (DeliveryRecord & { handler?: HandlerState })[]): Promise<void> {
    const written = await openJournal({ dir: journalDir(dir), maxBytes: 1024 * 1024, keepFiles: 2 });
    for (const { handler = 'done', ...r } of records) await written.appendDelivery(r, handler);
    await written.close();
  }

  async function run(config: Config, user: UserState) {
    await openState(dir).write('user', user);
    const out = captureLog();
    const error = await verifyLatestDelivery({ config, log: out.log }).then(
      () => undefined,
      (caught: unknown) => caught as Error & { code?: string },
    );
    return { out, error };
  }

  const sandboxConfig = () => loadConfig({ env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET } });
  const recorded = (config: Config, userkey: number, username: string): UserState => ({
    apiUrl: config.apiUrl,
    domainkey: config.domainkey,
    userkey,
    username,
    createdAt: new Date(T0).toISOString(),
  });

  it('the only User_Create is about an older user: non-zero, and it says why that one does not count', async () => {
    const config = sandboxConfig();
    const older = delivery({ userkey: 1001, username: 'Test-User-older000' });
    await journal(older);
    const { out, error } = await run(config, recorded(config, 1002, 'Test-User-newer000'));
    expect(error?.code).toBe(STEP_VERIFY_FAILED);
    expect(out.text()).not.toContain('Match: yes');
    expect(out.text()).toContain(older.id);
    expect(out.text()).toMatch(/Test-User-older000 \(userkey 1001\).*older user/);
  });

  it('the newest delivery is an inspector replay of an older user: non-zero, naming the duplicate', async () => {
    const config = sandboxConfig();
    const older = delivery({ userkey: 1001, username: 'Test-User-older000' });
    const replay = { ...delivery({ userkey: 1001, username: 'Test-User-older000' }), handler: 'duplicate' as const };
    await journal(older, replay);
    const { out, error } = await run(config, recorded(config, 1002, 'Test-User-newer000'));
    expect(error?.code).toBe(STEP_VERIFY_FAILED);
    expect(out.text()).not.toContain('Match: yes');
    expect(out.text()).toMatch(new RegExp(`${replay.id}.*duplicate`));
  });

  it("this user's delivery and a later replay of it: verifies the original, not the replay", async () => {
    const config = sandboxConfig();
    const user = { userkey: 1002, username: 'Test-User-newer000' };
    const original = delivery(user);
    const replay = { ...delivery(user), handler: 'duplicate' as const };
    await journal(original, replay);
    const { out, error } = await run(config, recorded(config, user.userkey, user.username));
    expect(error).toBeUndefined();
    expect(out.text()).toContain(`Delivery: ${original.id},`);
    expect(out.text()).not.toContain(`Delivery: ${replay.id},`);
  });

  it('against the real Bracken, a leftover sandbox delivery does not count: non-zero, saying it came from the sandbox', async () => {
    const config = loadConfig({
      env: { BRACKEN_CLIENT_ID: 'acme', BRACKEN_CLIENT_SECRET: 'x', BRACKEN_DOMAINKEY: String(DOMAINKEY), WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: SECRET },
    });
    const user = { userkey: 1001, username: 'Test-User' };
    const leftover = delivery(user, { extra: [SANDBOX_AGENT] });
    await journal(leftover);
    const { out, error } = await run(config, recorded(config, user.userkey, user.username));
    expect(error?.code).toBe(STEP_VERIFY_FAILED);
    expect(out.text()).not.toContain('Match: yes');
    expect(out.text()).toMatch(new RegExp(`${leftover.id}.*sandbox`));
  });
});

describe('step 4 reports the subscription it found and promises a delivery only when one will be sent', () => {
  const TOKEN = 'access-token-for-issue-11-0123456789';
  let box: TestWorkbench;
  beforeEach(async () => {
    box = await testWorkbench();
  });

  async function createUser() {
    mockToken(TOKEN);
    mockApi(TOKEN).post(`/api/user/create/domain/${DOMAINKEY}`).reply(200, { userkey: 7 });
    const out = captureLog();
    await createTestUser({ config: box.config(), state: box.state, log: out.log, now: () => T0 });
    return out.text();
  }

  it('no subscription: says none, and does not say the webhook should now arrive', async () => {
    const text = await createUser();
    expect(text).toContain('Subscription: none');
    expect(text).not.toMatch(/should now arrive/);
  });

  it('after step 6 (webhook.json kept, inactive): says inactive, not "none recorded", and promises nothing', async () => {
    await box.state.write('webhook', webhookFile(box.config(), { active: false }) as never);
    const text = await createUser();
    expect(text).toMatch(/Subscription: .*inactive/);
    expect(text).not.toContain('none recorded');
    expect(text).not.toMatch(/should now arrive/);
  });

  it('active for another target than the running listener: says so, and does not promise it reaches the listener', async () => {
    await box.state.write('webhook', webhookFile(box.config(), { target: 'https://old.ngrok.app/webhooks' }) as never);
    await box.state.write('listener', {
      localUrl: 'http://127.0.0.1:5000/webhooks',
      publicUrl: 'https://new.ngrok.app/webhooks',
      inspectorUrl: undefined,
      pid: process.pid,
      startedAt: new Date(T0).toISOString(),
    });
    const text = await createUser();
    expect(text).toMatch(/Subscription: .*https:\/\/old\.ngrok\.app\/webhooks.*not .*https:\/\/new\.ngrok\.app\/webhooks/);
    expect(text).not.toMatch(/should now arrive at the listener/);
  });

  it('active for this listener: promises the delivery', async () => {
    await box.state.write('webhook', webhookFile(box.config(), { target: 'https://h.example.test/webhooks' }) as never);
    const text = await createUser();
    expect(text).toMatch(/should now arrive/);
  });
});

describe("npm start's lines fit npm start", () => {
  it('no Next: lines for other terminals, no LISTEN_PORT label on its own port, and a note that it overrides WEBHOOK_SECRET', async () => {
    const stateDir = await tempDir('issue11-start');
    const out = captureLog();
    const env = sandboxEnv(stateDir, { WEBHOOK_SECRET: 'my-own-secret-0123456789', LISTEN_PORT: '5999' });
    const result = await runWalkthrough({ env, runDir: join(stateDir, 'run'), log: out.log, progress: quietStream });
    expect(result.ok, out.text()).toBe(true);
    const lines = out.lines.map((line) => line.trim());
    expect(lines.filter((line) => line.startsWith('Next:'))).toEqual([]);
    expect(out.text()).not.toMatch(/another terminal|Next: npm run/);
    expect(out.text()).not.toContain('(LISTEN_PORT)');
    expect(out.text()).toMatch(/WEBHOOK_SECRET/);
  });

  it('against the real Bracken it never talks of a sandbox', async () => {
    const stateDir = await tempDir('issue11-start');
    const out = captureLog();
    const env = { ...sandboxEnv(stateDir), BRACKEN_CLIENT_ID: 'acme', BRACKEN_CLIENT_SECRET: 'not-used', BRACKEN_DOMAINKEY: '12345' };
    const result = await runWalkthrough({ env, runDir: join(stateDir, 'run'), log: out.log, progress: quietStream, yes: true });
    expect(result.ok).toBe(false);
    expect(out.text()).not.toMatch(/sandbox/i);
  });
});
