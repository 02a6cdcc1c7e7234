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
 * Exit codes: 0 the sandbox agrees with the recording, 1 differences (listed), 2 a wrong command
 * line or no such recording, 3 the comparison could not run (an unreadable recording, a sandbox
 * that did not start).
 *
 * @example
 * const { differences } = await compareWithSandbox({ recording, sandbox: sandboxOptionsFromConfig(config) });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_INVALID, type Config, formatError, generatePassword, isLoopbackHost, RECORDING_NOT_FOUND, WorkbenchError } from '../../steps/lib/core/index.ts';
import { EVENT_SHAPES, TOKEN_PATH } from '../../steps/lib/bracken/index.ts';
import { readRecording, recordingDir, type RecordedCall, type Recording } from '../../steps/lib/record/index.ts';
import { deliveryHeaders } from './attempt.ts';
import { type Difference, headerDifferences, shapeDifferences } from './compare-shapes.ts';
import { canonicalEventName, encodePayload, type EventName, type EventPayload } from './events.ts';
import { sandboxOptionsFromConfig, startSandbox, type RunningSandbox, type SandboxOptions } from './index.ts';

export type { Difference };

export interface CompareOptions {
  readonly recording: Recording;
  /** The sandbox to compare with; it gets a free port and a temp folder of its own. */
  readonly sandbox: Omit<SandboxOptions, 'port' | 'stateDir'>;
  /** How long to wait for the sandbox's deliveries; default 5 s. */
  readonly timeoutMs?: number;
}

export interface Comparison {
  /** What was compared, in order (`POST /connect/token`, `User_Create delivery`). */
  readonly compared: readonly string[];
  readonly differences: readonly Difference[];
}

/** Response headers a client acts on; the rest (Date, Server, a host's own) say nothing about the API. */
const API_HEADERS = new Set(['content-type', 'www-authenticate', 'cache-control', 'pragma', 'location', 'allow', 'retry-after']);
/** Delivery headers that belong to the connection or a tunnel on the way, not to the sender. */
const TRANSPORT = /^(host|content-length|connection|keep-alive|transfer-encoding|x-forwarded-.*|x-real-ip|forwarded|via|ngrok-.*|x-original-.*)$/;

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
    const deliveries = compareDeliveries(recording, receiver.received, options.sandbox);
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

/** Pairs each recorded delivery (first copies) with one of the sandbox's of the same event, and compares them. */
function compareDeliveries(recording: Recording, received: readonly Received[], options: CompareOptions['sandbox']): Comparison {
  const compared: string[] = [];
  const differences: Difference[] = [];
  const left = [...received];
  const encode = options.encodePayload ?? encodePayload;
  for (const { meta, body } of recording.deliveries.filter(({ meta }) => !meta.answered.duplicate)) {
    const event = canonicalEventName(meta.event ?? '');
    const at = left.findIndex((delivery) => eventOf(delivery.body) === event);
    const [ours] = at < 0 ? [] : left.splice(at, 1);
    const where = `${meta.event ?? 'unknown'} delivery`;
    compared.push(where);
    // Not fired by the replayed calls (it happens in Bracken's portal): the payload the sandbox would send for it.
    const sandboxBody = ours?.body ?? (event === undefined ? undefined : Buffer.from(encode(samplePayload(event))));
    if (sandboxBody === undefined) {
      differences.push({ where, what: `the recording has a delivery of ${JSON.stringify(meta.event)}, an event the sandbox does not know` });
      continue;
    }
    const sandboxHeaders = ours?.headers ?? Object.fromEntries(deliveryHeaders({ authorization: 'HMACSHA256 (signature)' }));
    const recordedHeaders = Object.fromEntries(meta.headers.map(([name, value]) => [name.toLowerCase(), value]));
    differences.push(
      ...headerDifferences(where, recordedHeaders, sandboxHeaders, { values: ['content-type', 'user-agent'], ignore: (name) => TRANSPORT.test(name) }),
      ...authorizationDifference(where, recordedHeaders.authorization, sandboxHeaders.authorization),
      ...shapeDifferences(where, parseBody(body.toString('utf8'), 'application/json'), parseBody(sandboxBody.toString('utf8'), 'application/json')),
    );
    const sandboxText = sandboxBody.toString('utf8');
    const sandboxWhitespace = /^\s|[{,:[]\s|\s[}\],:]|\s$/.test(sandboxText.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    if (meta.original.json && meta.original.whitespace !== sandboxWhitespace) {
      differences.push({
        where,
        what: `the JSON is ${meta.original.whitespace ? 'spaced' : 'compact'} in the recording, ${sandboxWhitespace ? 'spaced' : 'compact'} in the sandbox's`,
      });
    }
    if (meta.original.nonAscii === 'raw' || meta.original.nonAscii === 'both') {
      differences.push({ where, what: 'non-ASCII characters are raw UTF-8 in the recording; the sandbox writes them as \\u escapes' });
    }
  }
  for (const extra of left) {
    differences.push({ where: `${eventOf(extra.body) ?? 'unknown'} delivery`, what: 'the sandbox sent this delivery, the recording has none like it' });
  }
  return { compared, differences };
}

function authorizationDifference(where: string, recorded: string | undefined, sandbox: string | undefined): Difference[] {
  const word = (value: string | undefined) => value?.split(/\s+/)[0] ?? '(none)';
  return word(recorded) === word(sandbox)
    ? []
    : [{ where, what: `the Authorization header starts with ${word(recorded)} in the recording, ${word(sandbox)} in the sandbox's` }];
}

/** A payload of `event` with a value of the right type in every field, for the sandbox's encoder. */
function samplePayload(event: EventName): EventPayload {
  const fields = Object.entries<string>(EVENT_SHAPES[event]).map(([field, kind]) => {
    const type = kind.split('|')[0];
    return [field, type === 'number' ? 1 : type === 'boolean' ? true : 'x'];
  });
  return { eventname: event, ...Object.fromEntries(fields) } as EventPayload;
}

function eventOf(body: Buffer): EventName | undefined {
  const payload = parseBody(body.toString('utf8'), 'application/json');
  if (typeof payload !== 'object' || payload === null) return undefined;
  const name = Object.entries(payload).find(([key]) => key.toLowerCase() === 'eventname')?.[1];
  return typeof name === 'string' ? canonicalEventName(name) : undefined;
}

/** A recorded request body as it was sent: JSON as parsed, a form as text. */
function recordedBody(call: RecordedCall): unknown {
  return call.body === '' ? undefined : call.body;
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text === '') return undefined;
  if (!/json/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

interface Received {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
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

/** The command: prints what it compared and each difference (errors through `printError`); resolves with the exit code. */
export async function compareCommand(name: string, config: Config, print: (line: string) => void, printError: (line: string) => void): Promise<number> {
  let recording: Recording;
  try {
    recording = await readRecording(recordingDir(name, undefined, '--compare'));
  } catch (error) {
    const usage = error instanceof WorkbenchError && (error.code === RECORDING_NOT_FOUND || error.code === CONFIG_INVALID);
    printError(formatError(error));
    return usage ? 2 : 3;
  }
  const { about } = recording;
  const options = sandboxOptionsFromConfig(config);
  if (!isLoopbackHost(options.host ?? '127.0.0.1')) print(`Note: the comparison's sandbox listens on 127.0.0.1, whatever SANDBOX_HOST says.`);
  print(
    `Comparing the recording ${name} (${about.runs.map((run) => run.command).join(', ')}, ${about.recordedAt.slice(0, 10)}, against ${about.environment.mode === 'bracken' ? `Bracken at ${about.environment.apiUrl}` : 'the sandbox'}) with the sandbox's choices:`,
  );
  let comparison: Comparison;
  try {
    comparison = await compareWithSandbox({ recording, sandbox: { ...options, host: '127.0.0.1' } });
  } catch (error) {
    printError(formatError(error));
    return 3;
  }
  for (const where of [...new Set(comparison.compared)]) {
    const found = comparison.differences.filter((difference) => difference.where === where);
    if (found.length === 0) print(`✔ ${where}`);
  }
  for (const difference of comparison.differences) print(`✘ ${difference.where}: ${difference.what}`);
  const count = comparison.differences.length;
  if (count === 0) {
    print("No differences: the sandbox's choices agree with what the recording saw.");
    return 0;
  }
  print(
    `${count} difference${count === 1 ? '' : 's'}. ` +
      (about.environment.mode === 'bracken'
        ? "Where the recording shows what Bracken does, correct the sandbox's choice (scripts/sandbox/, steps/lib/bracken/events.ts) and the README's list of them."
        : 'This recording was made against the sandbox: a difference means the sandbox changed since (record it again with npm start -- --record).'),
  );
  return 1;
}
