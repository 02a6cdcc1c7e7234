/**
 * Issue 13: `npm start -- --record`, with every secret planted so the test knows it: none may
 * reach a written byte, in any encoding. Against npm start's own sandbox, whose https-looking
 * placeholders make the recording look like a live one; and in live mode (BRACKEN_CLIENT_ID set,
 * the sandbox's URLs as BRACKEN_IDENTITY_URL / BRACKEN_API_URL), where step 5 rightly refuses a
 * delivery the sandbox signed, and the failed run is recorded and replays as the same failure. Each
 * recording replays offline, and a call it lacks fails the replay.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WalkthroughResult } from '../../scripts/walkthrough.ts';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import { sandboxOptionsFromConfig, startSandbox } from '../../scripts/sandbox/index.ts';
import { type Env, loadConfig, PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { readRecording, recordRun, type Recording } from '../../steps/lib/record/index.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { sandboxEnv } from '../e2e/helpers.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { quietStream } from '../helpers/output.ts';
import { replayRecording } from '../helpers/recorded.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const PLANTED = {
  clientId: 'planted-client-id-8d3f1a',
  clientSecret: 'planted-client-secret-5b7e9c2d4f6a',
  domainkey: 7654321,
  webhookSecret: 'planted-webhook-secret-3c9a1e7f5b2d8',
  // Not ASCII: the sandbox writes it as \u00eb, and the recording must keep that evidence.
  username: 'Zoë-Planted-User-4f2a',
  password: 'Planted-Password-#7Qx9zW2kLm4',
} as const;

// Step 4 generates the password and never prints or stores it: the test plants it to look for it.
// Test files share their worker's modules (isolate: false), so a hoisted vi.mock would miss when
// step 4's module is already loaded, and would stay for the files after this one. Instead the
// walkthrough is imported afresh with the plant in place, and the plant is taken out after.
const GENERATE = '../../steps/lib/core/generate.ts';
let runWalkthrough: typeof import('../../scripts/walkthrough.ts').runWalkthrough;
beforeAll(async () => {
  vi.resetModules();
  vi.doMock(GENERATE, async (importOriginal) => ({
    ...(await importOriginal<typeof import('../../steps/lib/core/generate.ts')>()),
    generatePassword: () => PLANTED.password,
  }));
  ({ runWalkthrough } = await import('../../scripts/walkthrough.ts'));
});
afterAll(() => {
  vi.doUnmock(GENERATE);
  vi.resetModules();
});

interface Recorded {
  readonly result: WalkthroughResult;
  readonly log: string;
  readonly recording: Recording;
  readonly written: { file: string; bytes: Buffer }[];
  /** What the run's state folder says: the token, the webhook secret and target step 2 used. */
  readonly state: { accessToken: string; secret: string; target: string };
}

/** npm start's function under the recorder, into a recording `name` in a temp folder. */
async function recordWalkthrough(name: string, env: Env): Promise<Recorded> {
  const root = await tempDir('recordings');
  const runDir = join(env.WORKBENCH_STATE_DIR ?? '', 'run');
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  const options = { name, root, source: 'npm start', command: `npm start -- --record ${name}`, mode: 'replace', deliveries: 'all', log } as const;
  const result = await recordRun(options, loadConfig({ env }), async () => {
    const run = await runWalkthrough({ env, runDir, yes: true, log, progress: quietStream });
    return { value: run, ok: run.ok, config: run.config };
  });
  const read = async <T>(file: string) => JSON.parse(await readFile(join(runDir, file), 'utf8')) as T;
  const webhook = await read<{ secret: string; subscriptions: { target: string }[] }>('webhook.json');
  return {
    result,
    log: lines.join('\n'),
    recording: await readRecording(join(root, name)),
    written: await filesUnder(join(root, name)),
    state: {
      accessToken: (await read<{ accessToken: string }>('token.json')).accessToken,
      secret: webhook.secret,
      target: webhook.subscriptions[0]?.target ?? '',
    },
  };
}

async function filesUnder(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file) })));
}

/** `value` as it could appear in a file: raw, JSON-escaped (also \u-escaped), URL- and form-encoded, base64 and base64url. */
function encodings(value: string): string[] {
  const escapedNonAscii = JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [
    value,
    JSON.stringify(value).slice(1, -1),
    escapedNonAscii,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
  ];
}

/** Fails when any form of any of `secrets` is in a written file. */
function expectNoneOf(secrets: readonly string[], written: Recorded['written']): void {
  for (const { file, bytes } of written) {
    const texts = [bytes.toString('latin1'), bytes.toString('utf8')];
    for (const secret of secrets) {
      for (const form of encodings(secret))
        expect(
          texts.some((text) => text.includes(form)),
          `${form} (a form of ${secret}) in ${file}`,
        ).toBe(false);
    }
  }
}

describe("npm start -- --record against its own sandbox (the demo recording's way)", () => {
  let recorded: Recorded;
  let sandboxStore: { deliveries: { body: string }[] };
  beforeAll(async () => {
    const stateDir = await tempDir('record');
    const env = sandboxEnv(stateDir, {
      SANDBOX_CLIENT_ID: PLANTED.clientId,
      SANDBOX_CLIENT_SECRET: PLANTED.clientSecret,
      SANDBOX_DOMAINKEY: String(PLANTED.domainkey),
      TEST_USERNAME: PLANTED.username,
    });
    recorded = await recordWalkthrough('sandbox-test', env);
    expect(recorded.result.ok, recorded.log).toBe(true);
    // The planted password is the one step 4 sent (its length is all step 4 prints of it): the search below means something.
    expect(recorded.log).toContain(`with a random ${PLANTED.password.length}-character password (not printed, not stored)`);
    const sandboxDir = join(stateDir, 'run', 'sandbox');
    const [storeFile = ''] = (await readdir(sandboxDir)).filter((file) => file.startsWith('store-'));
    sandboxStore = JSON.parse(await readFile(join(sandboxDir, storeFile), 'utf8')) as typeof sandboxStore;
  });

  it('writes calls.json (the five calls, in order), the delivery, and about.json (when, where, which workbench)', async () => {
    const { recording, log } = recorded;
    expect(log.split('\n').at(-1)).toMatch(/^Recorded 5 calls and 1 delivery in .*sandbox-test\/ \(replaced by placeholders: .*\)\.$/);
    expect(recording.calls.map((call) => `${call.method} ${call.scope}${call.path} ${call.status}`)).toEqual([
      'POST https://identity.recorded.invalid/connect/token 200',
      'PUT https://api.recorded.invalid/api/webhook/merge/domain/900001/event/user_create 200',
      'POST https://api.recorded.invalid/api/user/create/domain/900001 200',
      'DELETE https://api.recorded.invalid/api/user/delete/domain/900001/user/1001 200',
      'PUT https://api.recorded.invalid/api/webhook/merge/domain/900001/event/user_create 200',
    ]);
    expect(recording.deliveries.map(({ meta }) => [meta.event, meta.answered])).toEqual([['User_Create', { status: 200, code: 'ok', duplicate: false }]]);
    const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    const { about } = recording;
    expect(about.workbench).toEqual({ name: 'bracken-webhook-workbench', version: pkg.version });
    expect(about.environment).toMatchObject({
      mode: 'sandbox',
      node: process.version,
      store: 'file',
      listenScheme: 'bracken',
      scope: null,
      events: ['user_create'],
    });
    expect(about.environment.identityUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(about.runs).toEqual([{ source: 'npm start', command: 'npm start -- --record sandbox-test', at: about.recordedAt, ok: true }]);
    expect(about.replay).toEqual({
      identityUrl: 'https://identity.recorded.invalid',
      apiUrl: 'https://api.recorded.invalid',
      clientId: 'recorded-client-id-1',
      clientSecret: 'recorded-client-secret-1',
      domainkey: 900001,
      webhookTarget: 'https://tunnel-1.recorded.invalid/webhooks',
      webhookSecrets: ['recorded-webhook-secret-1'],
      usernames: ['recorded-user-1'],
    });
  });

  it('no planted secret, token, password, username, domainkey or tunnel address reaches any written byte, in any encoding', () => {
    const { written, state } = recorded;
    expect(written.map(({ file }) => file.split('sandbox-test/')[1]).sort()).toEqual([
      'about.json',
      'calls.json',
      'deliveries/001-User_Create.body',
      'deliveries/001-User_Create.json',
    ]);
    const target = new URL(state.target).host;
    expectNoneOf(
      [PLANTED.clientId, PLANTED.clientSecret, PLANTED.username, PLANTED.password, String(PLANTED.domainkey), state.accessToken, state.secret, target],
      written,
    );
  });

  it('maps each value to one placeholder everywhere, so the replay makes sense', () => {
    const { recording } = recorded;
    const [token, merge, create, remove, deactivate] = recording.calls;
    expect(token!.response).toMatchObject({ access_token: 'recorded-access-token-1', token_type: 'Bearer' });
    expect(token?.body).toBe('grant_type=client_credentials&client_id=recorded-client-id-1&client_secret=recorded-client-secret-1');
    for (const call of [merge, create, remove, deactivate]) expect(call?.reqheaders.authorization).toBe('Bearer recorded-access-token-1');
    expect(merge?.body).toEqual({ target: 'https://tunnel-1.recorded.invalid/webhooks', secret: 'recorded-webhook-secret-1', active: true });
    expect(deactivate?.body).toEqual({ target: 'https://tunnel-1.recorded.invalid/webhooks', secret: 'recorded-webhook-secret-1', active: false });
    // The sandbox echoes the secret shortened: so does the recording, from the placeholder.
    expect(merge!.response).toMatchObject({ secret: 'reco…(25 chars)' });
    expect(create?.body).toEqual({ username: 'recorded-user-1', password: 'recorded-password-1' });
    expect(create?.response).toMatchObject({ userkey: 1001, username: 'recorded-user-1', domainkey: 900001 });
    const [delivery] = recording.deliveries;
    expect(delivery?.meta.signedWith).toBe('recorded-webhook-secret-1');
    expect(JSON.parse(delivery?.body.toString('utf8') ?? '')).toMatchObject({ username: 'recorded-user-1', domainkey: 900001, userkey: 1001 });
  });

  it("keeps the delivery's bytes as the sandbox sent them but for the replaced values, re-signed with the fixture secret", () => {
    const [sent] = sandboxStore.deliveries;
    const [delivery] = recorded.recording.deliveries;
    if (sent === undefined || delivery === undefined) throw new Error('no delivery');
    // The sandbox escapes ë as \u00eb (its .NET-like choice): the username's token is replaced, the rest is byte for byte.
    expect(sent.body).toContain('"username":"Zo\\u00eb-Planted-User-4f2a"');
    const expected = sent.body
      .replace('"username":"Zo\\u00eb-Planted-User-4f2a"', '"username":"recorded-user-1"')
      .replace('"domainkey":7654321', '"domainkey":900001');
    expect(delivery.body.toString('utf8')).toBe(expected);
    expect(delivery.meta.original).toEqual({
      bytes: Buffer.byteLength(sent.body),
      json: true,
      whitespace: false,
      nonAscii: 'escaped',
      reserializesExactly: false,
      reserializationChanges: expect.arrayContaining([expect.stringMatching(/escape/)]),
    });
    expect(delivery.meta.replaced).toEqual({ fields: ['domainkey', 'username'], headers: ['host', 'authorization', 'content-length'] });
    const headers = Object.fromEntries(delivery.meta.headers);
    expect(headers).toMatchObject({
      host: 'tunnel-1.recorded.invalid',
      'content-type': 'application/json',
      'user-agent': 'bracken-webhook-workbench-sandbox',
      'content-length': String(delivery.body.length),
    });
    expect(bracken.verify({ body: delivery.body, headers, secrets: ['recorded-webhook-secret-1'] })).toEqual({ ok: true, secretIndex: 0 });
  });

  it('replays offline: the steps send exactly the recorded requests over https and succeed, as the recorded run did', async () => {
    const { runs, scopes } = await replayRecording(recorded.recording);
    expect(
      runs.map((run) => [run.source, run.ok]),
      runs[0]?.log.join('\n'),
    ).toEqual([['npm start', true]]);
    expect(scopes.every((scope) => scope.isDone())).toBe(true);
    expect(runs[0]?.log).toContain('Match: yes, with the current secret.');
  });

  it('a request the recording does not have fails the replay (lockdown): here the user delete is left out', async () => {
    const withoutDelete = { ...recorded.recording, calls: recorded.recording.calls.filter((call) => call.method !== 'DELETE') };
    const { runs } = await replayRecording(withoutDelete);
    const log = runs[0]?.log.join('\n') ?? '';
    expect(runs.map((run) => run.ok)).toEqual([false]);
    expect(log).toContain('DELETE https://api.recorded.invalid/api/user/delete/domain/900001/user/1001');
    expect(log).toMatch(/\[WORKBENCH_API_UNREACHABLE\]/);
    // Step 6 still sends the deactivating merge after the failed delete: its recorded answer is used.
    expect(nock.pendingMocks()).toEqual([]);
    expect(log).toContain('Subscription: deactivated user_create -> ');
  });
});

describe('npm start -- --record in live mode, against a sandbox standing in for Bracken', () => {
  let recorded: Recorded;
  beforeAll(async () => {
    const stateDir = await tempDir('record-live');
    const base = loadConfig({
      env: {
        SANDBOX_CLIENT_ID: PLANTED.clientId,
        SANDBOX_CLIENT_SECRET: PLANTED.clientSecret,
        SANDBOX_DOMAINKEY: String(PLANTED.domainkey),
        WORKBENCH_STATE_DIR: stateDir,
      },
    });
    const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(base), port: 0, retryScheduleMs: [50] });
    onCleanup(() => sandbox.close());
    const port = await freePort();
    recorded = await recordWalkthrough(
      'live-test',
      sandboxEnv(stateDir, {
        BRACKEN_CLIENT_ID: PLANTED.clientId,
        BRACKEN_CLIENT_SECRET: PLANTED.clientSecret,
        BRACKEN_DOMAINKEY: String(PLANTED.domainkey),
        BRACKEN_IDENTITY_URL: sandbox.url,
        BRACKEN_API_URL: sandbox.url,
        WEBHOOK_TARGET: `http://127.0.0.1:${port}/webhooks`,
        WEBHOOK_SECRET: PLANTED.webhookSecret,
        TEST_USERNAME: PLANTED.username,
        LISTEN_PORT: String(port),
      }),
    );
  });

  it('records the failed run too: step 5 refuses a delivery the sandbox signed while the steps talk to "Bracken"', () => {
    const { result, recording, log } = recorded;
    expect(result.ok).toBe(false);
    expect(log).toContain('sent by the local sandbox, not by Bracken at');
    expect(recording.about.environment.mode).toBe('bracken');
    expect(recording.about.runs.map((run) => [run.source, run.ok])).toEqual([['npm start', false]]);
    expect(recording.calls.map((call) => `${call.method} ${call.scope}${call.path}`)).toEqual([
      'POST https://identity.recorded.invalid/connect/token',
      'PUT https://api.recorded.invalid/api/webhook/merge/domain/900001/event/user_create',
      'POST https://api.recorded.invalid/api/user/create/domain/900001',
    ]);
    expect(recording.deliveries).toHaveLength(1);
  });

  it('no planted secret reaches any written byte, in any encoding', () => {
    const { written, state } = recorded;
    expect(state.secret).toBe(PLANTED.webhookSecret);
    expectNoneOf(
      [
        PLANTED.clientId,
        PLANTED.clientSecret,
        PLANTED.webhookSecret,
        PLANTED.username,
        PLANTED.password,
        String(PLANTED.domainkey),
        state.accessToken,
        new URL(state.target).host,
      ],
      written,
    );
  });

  it('replays offline, in live mode, to the same failure at the same place', async () => {
    const { runs, scopes } = await replayRecording(recorded.recording);
    expect(runs.map((run) => [run.source, run.ok])).toEqual([['npm start', false]]);
    expect(runs[0]?.log.join('\n')).toContain('sent by the local sandbox, not by Bracken at https://api.recorded.invalid');
    expect(scopes.every((scope) => scope.isDone())).toBe(true);
  });
});
