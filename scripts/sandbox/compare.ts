/**
 * `npm run sandbox -- --compare NAME`: holds a recording (test/fixtures/recorded/NAME/) against
 * the sandbox's own choices, which are guesses where Bracken documents nothing (its payloads, the
 * delete route, its answers, its delivery headers; README "What is the sandbox's choice").
 *
 * A sandbox of its own is started (a free port, a temp folder, the SANDBOX_* settings and
 * BRACKEN_USER_DELETE_ROUTE as configured), the recorded calls are made to it in order (the same
 * routes and bodies, with its own credentials, domainkey and userkeys, and a local receiver as the
 * webhook target), and each answer and delivery is compared with the recorded one: status,
 * Content-Type and the headers a client acts on, the JSON fields and their types, the delete route,
 * and for deliveries every header the sender sets and how the JSON is written. A recorded delivery
 * the replayed calls do not fire (a Module_Complete from the portal) is compared with the payload
 * the sandbox would send for that event.
 *
 * The deliveries are compared in compare-deliveries.ts, the command's output and exit codes are
 * compare-cli.ts's.
 *
 * @example
 * const { differences } = await compareWithSandbox({ recording, sandbox: sandboxOptionsFromConfig(config) });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePassword } from '../../steps/lib/core/index.ts';
import { TOKEN_PATH } from '../../steps/lib/bracken/index.ts';
import type { RecordedCall, Recording } from '../../steps/lib/record/index.ts';
import { compareDeliveries, type Received } from './compare-deliveries.ts';
import { type Comparison, type Difference, headerDifferences, parseBody, shapeDifferences } from './compare-shapes.ts';
import { encodePayload } from './events.ts';
import { startSandbox, type RunningSandbox, type SandboxOptions } from './index.ts';

export type { Comparison, Difference };

export interface CompareOptions {
  readonly recording: Recording;
  /** The sandbox to compare with; it gets a free port and a temp folder of its own. */
  readonly sandbox: Omit<SandboxOptions, 'port' | 'stateDir'>;
  /** How long to wait for the sandbox's deliveries; default 5 s. */
  readonly timeoutMs?: number;
}

/** Response headers a client acts on; the rest (Date, Server, a host's own) say nothing about the API. */
const API_HEADERS = new Set(['content-type', 'www-authenticate', 'cache-control', 'pragma', 'location', 'allow', 'retry-after']);

/** Compares the recording with a sandbox started for it, and closes that sandbox. */
export async function compareWithSandbox(options: CompareOptions): Promise<Comparison> {
  const { recording } = options;
  const stateDir = await mkdtemp(join(tmpdir(), 'workbench-compare-'));
  const receiver = await startReceiver();
  let sandbox: RunningSandbox | undefined;
  try {
    sandbox = await startSandbox({ ...options.sandbox, port: 0, stateDir });
    const compared: string[] = [];
    const differences: Difference[] = [];
    const calls = await compareCalls(recording, sandbox, receiver.url, options.sandbox);
    compared.push(...calls.compared);
    differences.push(...calls.differences);
    await sandbox.whenIdle(options.timeoutMs ?? 5000).catch(() => {}); // what did not arrive is reported below
    const deliveries = compareDeliveries(recording, receiver.received, options.sandbox.encodePayload ?? encodePayload);
    compared.push(...deliveries.compared);
    differences.push(...deliveries.differences);
    return { compared, differences };
  } finally {
    await sandbox?.close();
    await new Promise((resolve) => receiver.server.close(resolve));
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Makes each recorded call to the sandbox, with the sandbox's own credentials and keys, and compares the answers. */
async function compareCalls(recording: Recording, sandbox: RunningSandbox, target: string, options: CompareOptions['sandbox']): Promise<Comparison> {
  const compared: string[] = [];
  const differences: Difference[] = [];
  const { about } = recording;
  const userkeys = new Map<string, string>();
  let token = '';
  const path = (recorded: string) =>
    recorded
      .replace(new RegExp(`/domain/${about.replay.domainkey ?? 'none'}(?=/|$)`), `/domain/${sandbox.domainkey}`)
      .replace(/\/(\d+)(?=\/|$)/g, (segment, key: string) => (userkeys.has(key) ? `/${userkeys.get(key)}` : segment));
  const template = (call: RecordedCall) =>
    `${call.method} ${call.path.replace(new RegExp(`/domain/${about.replay.domainkey ?? 'none'}(?=/|$)`), '/domain/{domainkey}').replace(/\/\d+(?=\/|$)/g, '/{userkey}')}`;
  let deleteRouteChecked = false;

  for (const call of recording.calls) {
    const where = template(call);
    const body = recordedBody(call);
    let request: { url: string; init: RequestInit };
    if (call.path.startsWith(TOKEN_PATH)) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sandbox.clientId, client_secret: sandbox.clientSecret });
      const scope = new URLSearchParams(typeof call.body === 'string' ? call.body : '').get('scope');
      if (scope !== null) form.set('scope', scope);
      request = {
        url: `${sandbox.url}${TOKEN_PATH}`,
        init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
      };
    } else {
      const kind = /^\/api\/webhook\/merge\//i.test(call.path) ? 'merge' : /^\/api\/user\/create\b/i.test(call.path) ? 'create' : 'other';
      const json = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : undefined;
      if (kind === 'merge' && json !== undefined) json.target = target;
      if (kind === 'create' && json !== undefined) json.password = generatePassword();
      if (kind === 'other' && !deleteRouteChecked && call.method === about.environment.userDeleteRoute.split(' ')[0]) {
        deleteRouteChecked = true;
        const ours = `${options.userDeleteRoute.method} ${options.userDeleteRoute.path}`;
        if (ours !== about.environment.userDeleteRoute) {
          differences.push({
            where: 'the delete-user route',
            what: `the recording deleted the user with ${about.environment.userDeleteRoute} (its BRACKEN_USER_DELETE_ROUTE), the sandbox serves ${ours}`,
          });
        }
      }
      const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
      if (json !== undefined) headers['content-type'] = 'application/json';
      request = {
        url: `${sandbox.url}${path(call.path)}`,
        init: { method: call.method, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) },
      };
    }
    const answer = await fetch(request.url, { ...request.init, signal: AbortSignal.timeout(10_000) });
    const text = await answer.text();
    const data = parseBody(text, answer.headers.get('content-type'));
    if (call.path.startsWith(TOKEN_PATH))
      token = typeof (data as { access_token?: unknown })?.access_token === 'string' ? (data as { access_token: string }).access_token : '';
    const recordedUserkey = (call.response as { userkey?: unknown } | null)?.userkey;
    const sandboxUserkey = (data as { userkey?: unknown } | undefined)?.userkey;
    if (/^\/api\/user\/create\b/i.test(call.path) && recordedUserkey !== undefined && sandboxUserkey !== undefined)
      userkeys.set(String(recordedUserkey), String(sandboxUserkey));

    compared.push(where);
    if (answer.status !== call.status) differences.push({ where, what: `status ${call.status} in the recording, ${answer.status} in the sandbox's` });
    differences.push(
      ...headerDifferences(where, call.rawHeaders, Object.fromEntries(answer.headers), { values: [...API_HEADERS], ignore: (name) => !API_HEADERS.has(name) }),
      ...shapeDifferences(where, call.response, data),
    );
  }
  return { compared, differences };
}

/** A recorded request body as it was sent: JSON as parsed, a form as text. */
function recordedBody(call: RecordedCall): unknown {
  return call.body === '' ? undefined : call.body;
}

/** The webhook target the compare subscribes: keeps each delivery and answers 200. */
async function startReceiver(): Promise<{ url: string; server: Server; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)])), body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/webhooks`, server, received };
}
