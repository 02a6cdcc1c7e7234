/**
 * Recording a run: nock's recorder around it, then the deliveries from the store, then every
 * value that must not be kept replaced (redactor.ts), and only then the files written.
 *
 * `npm start -- --record demo` writes a new `test/fixtures/recorded/demo/`. A single step run with
 * `RECORD=demo` adds to it (its calls, and for step 5 the deliveries about the test user), so the
 * steps run one by one in three terminals make one recording too.
 *
 * Loaded only when a run is recorded (run.ts), so a step that records nothing does not load it.
 *
 * @example
 * const result = await recordRun({ name: 'demo', source: 'npm start', command, mode: 'replace', deliveries: 'all', log }, config, async () => {
 *   const result = await runWalkthrough();
 *   return { value: result, ok: result.ok, config: result.config };
 * });
 */
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type Config, PROJECT_ROOT, RECORDING_NOT_FOUND, RecordingError, openState, type State, type WebhookState } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';
import { readDeliveries } from '../store/index.ts';
import { learnCall, type NockCall, publicUrl, recordedCall, recordedScope } from './calls.ts';
import { learnDelivery, recordedDelivery } from './deliveries.ts';
import { recordingDirToWrite } from './case-twin.ts';
import { type Recording, type RecordingAbout, readRecording, writeRecording } from './fixture.ts';
import { placeholderBook } from './placeholders.ts';
import { createRedactor, type Redactor } from './redactor.ts';
import { startRecorder } from './recorder.ts';
import type { RecordRunOptions, RunOutcome } from './run.ts';

/**
 * Runs `run` under the recorder and writes the recording, also when the run failed (a failed call
 * is evidence too); then returns the run's value, or throws its error.
 */
export async function recordRunNow<T>(options: RecordRunOptions, config: Config, run: () => Promise<RunOutcome<T>>): Promise<T> {
  const dir = recordingDirToWrite(options.name, options.root);
  const recorder = await startRecorder();
  let outcome: RunOutcome<T> | undefined;
  let failure: unknown;
  try {
    outcome = await run();
  } catch (error) {
    failure = error;
  }
  const calls = await recorder.stop();
  const used = outcome?.config ?? config;
  const { recording, replaced } = await buildRecording(options, dir, used, calls, outcome?.ok ?? false);
  await writeRecording(dir, recording);
  const deliveries = recording.deliveries.length;
  options.log(
    `Recorded ${recording.calls.length} calls and ${deliveries} ${deliveries === 1 ? 'delivery' : 'deliveries'} in ${relative(PROJECT_ROOT, dir) || dir}/` +
      (replaced.length === 0 ? '.' : ` (replaced by placeholders: ${replaced.join(', ')}).`),
  );
  if (failure !== undefined) throw failure;
  return (outcome as RunOutcome<T>).value;
}

async function buildRecording(
  options: RecordRunOptions,
  dir: string,
  config: Config,
  raw: readonly NockCall[],
  ok: boolean,
): Promise<{ recording: Recording; replaced: string[] }> {
  const now = new Date((options.now ?? Date.now)()).toISOString();
  const existing = options.mode === 'add' ? await readRecording(dir).catch(unlessNotFound) : undefined;
  const bookFile = join(config.stateDir, 'recordings', `${options.name}.json`);
  // A new recording numbers its placeholders afresh; a single step adding to one keeps its numbering.
  if (options.mode === 'replace' || existing === undefined) await rm(bookFile, { force: true });
  const book = await placeholderBook({ file: options.mode === 'add' ? bookFile : undefined });
  const redactor = createRedactor(book);
  const state = openState(config.stateDir);
  const secrets = await learnSetup(redactor, config, state);

  const notes: string[] = [];
  const views = await deliveriesToRecord(options, config, state, existing, notes);
  for (const call of raw) learnCall(redactor, call);
  for (const view of views) learnDelivery(redactor, view);

  const runs = [...(existing?.about.runs ?? []), { source: options.source, command: options.command, at: now, ok }];
  const run = runs.length - 1;
  const calls = [...(existing?.calls ?? []), ...raw.map((call) => recordedCall(redactor, call, run, config))];
  const deliveries = [...(existing?.deliveries ?? [])];
  for (const view of views) deliveries.push(recordedDelivery(redactor, view, { run, index: deliveries.length + 1, secrets }));
  await book.save();

  const about: RecordingAbout = {
    name: options.name,
    recordedAt: existing?.about.recordedAt ?? now,
    updatedAt: now,
    workbench: await workbenchVersion(),
    environment: {
      mode: config.mode,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      identityUrl: publicUrl(config.identityUrl),
      apiUrl: publicUrl(config.apiUrl),
      scope: config.scope ?? null,
      events: config.webhook.events,
      userDeleteRoute: `${config.userDeleteRoute.method} ${config.userDeleteRoute.path}`,
      listenScheme: config.listen.scheme,
      store: config.database.url === undefined ? 'file' : 'postgres',
    },
    replay: {
      identityUrl: recordedScope(config.identityUrl, '/connect/token', config),
      apiUrl: recordedScope(config.apiUrl, '/api', config),
      clientId: String(redactor.field('client_id', config.clientId)),
      clientSecret: String(redactor.field('client_secret', config.clientSecret)),
      domainkey: Number(redactor.field('domainkey', config.domainkey)),
      webhookTarget: existing?.about.replay.webhookTarget ?? firstString(calls.map((call) => bodyField(call.body, 'target'))) ?? null,
      webhookSecrets: unique([
        ...(existing?.about.replay.webhookSecrets ?? []),
        ...calls.map((call) => bodyField(call.body, 'secret')),
        ...deliveries.map((delivery) => delivery.meta.signedWith),
      ]),
      usernames: unique([...(existing?.about.replay.usernames ?? []), ...calls.map((call) => bodyField(call.body, 'username'))]),
    },
    runs,
    notes: [...(existing?.about.notes ?? []), ...notes],
  };
  const replaced = [...new Set(book.values().map(([, , kind]) => kind))].sort();
  return { recording: { about, calls, deliveries }, replaced };
}

/**
 * Learns what the configuration and the state folder know, in the order that numbers the
 * placeholders: the webhook secret the subscriptions use becomes `recorded-webhook-secret-1`, the
 * fixture secret deliveries are signed with. Returns the secrets the listener accepts, newest first.
 */
async function learnSetup(redactor: Redactor, config: Config, state: State): Promise<string[]> {
  const read = async <T>(what: () => Promise<T | undefined>) => what().catch(() => undefined);
  const webhook: WebhookState | undefined = await read(() => state.read('webhook'));
  const listener = await read(() => state.read('listener'));
  const secrets = [config.webhook.secret ?? webhook?.secret, ...config.webhook.previousSecrets].filter((s): s is string => s !== undefined && s !== '');
  for (const secret of secrets) redactor.learn('webhook-secret', secret);
  redactor.learn('client-id', config.clientId);
  redactor.learn('client-secret', config.clientSecret);
  redactor.learn('domainkey', config.domainkey);
  redactor.learn('ngrok-token', config.ngrok.authtoken);
  for (const target of [config.webhook.target, listener?.publicUrl, ...(webhook?.subscriptions.map((s) => s.target) ?? []), listener?.localUrl]) {
    redactor.learn('target', target);
  }
  if (config.ngrok.domain !== undefined) redactor.learn('target', `https://${config.ngrok.domain.replace(/^https?:\/\//i, '').replace(/\/+$/, '')}`);
  redactor.learn('username', config.testUsername);
  redactor.learn('username', (await read(() => state.read('user')))?.username);
  redactor.learn('access-token', (await read(() => state.read('token')))?.accessToken);
  return secrets;
}

/** The verified deliveries to add, oldest first: none already in the recording. */
async function deliveriesToRecord(
  options: RecordRunOptions,
  config: Config,
  state: State,
  existing: Recording | undefined,
  notes: string[],
): Promise<DeliveryView[]> {
  if (options.deliveries === 'none') return [];
  if (config.listen.scheme !== 'bracken') {
    notes.push(`Deliveries were not recorded: LISTEN_SCHEME was ${config.listen.scheme}, not bracken.`);
    return [];
  }
  const { deliveries } = await readDeliveries(config);
  const recorded = new Set(existing?.deliveries.map((delivery) => delivery.meta.id));
  const user = options.deliveries === 'this-user' ? await state.read('user').catch(() => undefined) : undefined;
  return deliveries.filter(
    (view) => view.verdict === 'valid' && !recorded.has(view.id) && (options.deliveries === 'all' || user === undefined || namesUser(view, user.username)),
  );
}

/** Whether the delivery's payload is about `username` (its `username` field, in any letter case). */
function namesUser(view: DeliveryView, username: string): boolean {
  try {
    const payload = JSON.parse(view.body.toString('utf8')) as Record<string, unknown>;
    return Object.entries(payload).some(([key, value]) => key.toLowerCase() === 'username' && value === username);
  } catch {
    return false;
  }
}

async function workbenchVersion(): Promise<{ name: string; version: string }> {
  const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

function firstString(values: readonly (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined);
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
}

function unlessNotFound(error: unknown): undefined {
  if (error instanceof RecordingError && error.code === RECORDING_NOT_FOUND) return undefined;
  throw error;
}
