/**
 * Replaying a recording (test/fixtures/recorded/<name>/, steps/lib/record/) offline: every
 * recorded call becomes one nock interceptor, in order, and the steps run against them in the
 * recorded mode (live, or the sandbox's), with the placeholders about.json lists as their
 * configuration, so they send exactly the recorded requests. Nothing else answers: test/setup.ts
 * refuses every connection beyond loopback, so a request the recording does not have fails the
 * step (lockdown). The recorded deliveries go to the steps' own listener, exact bytes and headers,
 * when the recorded run got them: after its user was created.
 *
 * `npm start` is replayed as the steps it runs, in its order (1, 2, 3, 4, the delivery, 5, 6): run
 * itself against the sandbox it would start a sandbox of its own instead of the recorded calls.
 */
import { isDeepStrictEqual } from 'node:util';
import nock from 'nock';
import { getToken } from '../../steps/01-get-token.ts';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { listen, type Listening } from '../../steps/03-listen-for-webhooks.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import { deleteTestUser } from '../../steps/06-delete-test-user.ts';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { formatError } from '../../steps/lib/core/run-step.ts';
import type { StepDeps } from '../../steps/lib/core/step-deps.ts';
import { fieldKind } from '../../steps/lib/record/fields.ts';
import type { RecordedCall, Recording } from '../../steps/lib/record/index.ts';
import { onCleanup } from './cleanup.ts';
import { send, type Answer } from './listener.ts';
import { tempDir } from './temp-dir.ts';

/** Headers a client computes for itself: sent again, they would describe another connection. */
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive']);

/** The configuration that makes the steps of run `run` send the recorded requests: the recorded mode, the placeholders, this listener port. */
export function replayEnv(recording: Recording, run: number, stateDir: string, listenPort: number): Record<string, string> {
  const { about } = recording;
  const [secret = '', ...previous] = about.replay.webhookSecrets;
  const live = about.environment.mode === 'bracken';
  const client = {
    ID: about.replay.clientId ?? '',
    SECRET: about.replay.clientSecret ?? '',
    DOMAINKEY: about.replay.domainkey === null ? '' : String(about.replay.domainkey),
  };
  return {
    // Against the sandbox, BRACKEN_CLIENT_ID stays empty and the sandbox's own settings carry the client.
    BRACKEN_CLIENT_ID: live ? client.ID : '',
    BRACKEN_CLIENT_SECRET: live ? client.SECRET : '',
    BRACKEN_DOMAINKEY: live ? client.DOMAINKEY : '',
    SANDBOX_CLIENT_ID: client.ID || 'demo',
    SANDBOX_CLIENT_SECRET: client.SECRET || 'demo-secret',
    SANDBOX_DOMAINKEY: client.DOMAINKEY || '15435',
    BRACKEN_IDENTITY_URL: about.replay.identityUrl,
    BRACKEN_API_URL: about.replay.apiUrl,
    BRACKEN_SCOPE: about.environment.scope ?? '',
    BRACKEN_USER_DELETE_ROUTE: about.environment.userDeleteRoute,
    WEBHOOK_EVENTS: about.environment.events.join(','),
    WEBHOOK_TARGET: about.replay.webhookTarget ?? '',
    WEBHOOK_SECRET: secret,
    WEBHOOK_PREVIOUS_SECRETS: previous.join(','),
    TEST_USERNAME: usernameOf(recording, run) ?? about.replay.usernames[0] ?? '',
    LISTEN_SCHEME: 'bracken',
    LISTEN_HOST: '127.0.0.1',
    LISTEN_PORT: String(listenPort),
    INSPECT_PORT: '0',
    NGROK_AUTHTOKEN: '',
    NGROK_DOMAIN: '',
    DATABASE_URL: '',
    RECORD: '',
    WORKBENCH_STATE_DIR: stateDir,
  };
}

/**
 * One interceptor per recorded call, in the recorded order: the same method, origin and path, the
 * same body (but any password, which the steps generate afresh), and the same Accept, Authorization
 * and Content-Type.
 */
export function interceptRecordedCalls(calls: readonly RecordedCall[]): nock.Scope[] {
  return calls.map((call) => {
    let interceptor = nock(call.scope).intercept(call.path, call.method, (body: unknown) =>
      isDeepStrictEqual(comparable(body), comparable(expectedBody(call))),
    );
    for (const [name, value] of Object.entries(call.reqheaders)) interceptor = interceptor.matchHeader(name, value);
    const reply = call.responseIsBinary && typeof call.response === 'string' ? Buffer.from(call.response, 'hex') : (call.response as nock.Body);
    return interceptor.reply(call.status, reply, { ...call.rawHeaders });
  });
}

/** Sends recorded deliveries to `url` in order, with their exact bytes and recorded headers. */
export async function sendRecordedDeliveries(deliveries: Recording['deliveries'], url: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const { meta, body } of deliveries) {
    const headers = Object.fromEntries(meta.headers.filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase())));
    answers.push(await send(url, { method: meta.method, body, headers }));
  }
  return answers;
}

export interface ReplayedRun {
  readonly source: string;
  /** Whether the run succeeded, as the recorded one did or did not. */
  readonly ok: boolean;
  readonly error: unknown;
  readonly log: readonly string[];
}

/** What `npm start` runs, in its order; a single step's run is that step alone. */
const WALKTHROUGH = ['step:1', 'step:2', 'step:3', 'step:4', 'deliveries', 'step:5', 'step:6'];

/** Runs every recorded run again, against the recorded calls only; each stops at its first failure, as the recorded one did. */
export async function replayRecording(recording: Recording): Promise<{ runs: ReplayedRun[]; scopes: nock.Scope[] }> {
  const stateDir = await tempDir('replay');
  const port = await freePort();
  const scopes = interceptRecordedCalls(recording.calls);
  const runs: ReplayedRun[] = [];
  let listening: Listening | undefined;
  onCleanup(() => listening?.close());
  for (const [run, recorded] of recording.about.runs.entries()) {
    const log: string[] = [];
    const config = loadConfig({ env: replayEnv(recording, run, stateDir, port) });
    const deps = { config, log: (line: string) => void log.push(line), next: () => {} };
    const deliver = async () => {
      const answers = await sendRecordedDeliveries(
        recording.deliveries.filter(({ meta }) => meta.run === run),
        `http://127.0.0.1:${port}/webhooks`,
      );
      await listening?.listener.idle();
      for (const answer of answers) log.push(`delivered: ${answer.status} ${answer.text}`);
    };
    let error: unknown;
    try {
      // Single steps ran beside a listener (step 3) in a terminal of their own: one runs here too.
      for (const part of recorded.source === 'npm start' ? WALKTHROUGH : ['step:3', ...(recorded.source === 'step:5' ? ['deliveries'] : []), recorded.source]) {
        if (part === 'step:3') listening ??= await listen({ ...deps, handler: async () => {} });
        else if (part === 'deliveries') await deliver();
        else await runStep(part, deps);
      }
    } catch (caught) {
      error = caught;
      log.push(formatError(caught));
    }
    runs.push({ source: recorded.source, ok: error === undefined, error, log });
  }
  await listening?.close();
  return { runs, scopes };
}

async function runStep(source: string, deps: StepDeps): Promise<void> {
  switch (source) {
    case 'step:1':
      await getToken(deps);
      return;
    case 'step:2':
      await subscribeWebhook(deps);
      return;
    case 'step:4':
      await createTestUser({ ...deps, isRunning: () => true });
      return;
    case 'step:5':
      await verifyLatestDelivery(deps);
      return;
    case 'step:6':
      await deleteTestUser(deps);
      return;
    default:
      throw new Error(`The recording has a run of ${source}, which the replay does not know.`);
  }
}

/** The username run `run` created, if it created one. */
function usernameOf(recording: Recording, run: number): string | undefined {
  const create = recording.calls.find((call) => call.run === run && call.method === 'POST' && call.path.startsWith('/api/user/create'));
  const body = create?.body as { username?: unknown } | undefined;
  return typeof body?.username === 'string' ? body.username : undefined;
}

/** The body a recorded call expects, as nock hands a request body to a matcher: JSON parsed, a form as its fields. */
function expectedBody(call: RecordedCall): unknown {
  if (typeof call.body !== 'string') return call.body;
  const type = call.reqheaders['content-type'] ?? '';
  return type.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(call.body)) : call.body;
}

/** A body with every password field's value blanked (the steps generate a new one each time), as plain JSON. */
function comparable(body: unknown): unknown {
  const plain: unknown = typeof body === 'object' && body !== null ? JSON.parse(JSON.stringify(body)) : body;
  const blank = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => blank(item, key));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, blank(item, name)]));
    return key !== undefined && fieldKind(key) === 'password' && typeof value === 'string' ? '(any password)' : value;
  };
  return blank(plain);
}
