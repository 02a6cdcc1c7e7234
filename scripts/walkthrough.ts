/**
 * `npm start`: the whole tutorial in one process. Against the local sandbox (the default) it
 * starts the sandbox and the listener on free loopback ports, runs steps 1 to 6 in order under the
 * tutorial's headings, waits (visibly) for the User_Create delivery, and exits 0 only if that
 * delivery arrived, verified, and the cleanup completed. With real credentials in .env it runs
 * against Bracken instead, and asks before creating a user unless `--yes`.
 *
 *   npm start                  # sandbox, offline
 *   npm start -- --yes         # real Bracken, no question before creating the test user
 *   npm start -- --timings-json t.json   # also write per-step timings (used by npm run bench)
 *   npm start -- --record demo  # also record the calls and deliveries into test/fixtures/recorded/demo/
 */
import { styleText } from 'node:util';
import { startSandbox, sandboxOptionsFromConfig, type RunningSandbox } from './sandbox/index.ts';
import { getToken } from '../steps/01-get-token.ts';
import { subscribeWebhook } from '../steps/02-subscribe-webhook.ts';
import { listen, type Listening } from '../steps/03-listen-for-webhooks.ts';
import { createTestUser } from '../steps/04-create-test-user.ts';
import { verifyLatestDelivery } from '../steps/05-verify-delivery.ts';
import { deleteTestUser } from '../steps/06-delete-test-user.ts';
import {
  loadConfig,
  type Config,
  type Env,
  CONFIG_INVALID,
  ConfigError,
  STEP_PRECONDITION,
  StepError,
  WEBHOOK_EVENT,
  WEBHOOK_PATH,
  formatError,
  isMain,
  keepRunningWhenOutputCloses,
  openState,
  readCommandLine,
  signalExitCode,
  underWayLines,
} from '../steps/lib/core/index.ts';
import { freePort } from './walkthrough/free-port.ts';
import { leftInBracken } from './walkthrough/left-in-bracken.ts';
import { newRunDir } from './walkthrough/run-folders.ts';
import { confirm } from './walkthrough/confirm.ts';
import { waitForDelivery } from './walkthrough/wait-for-delivery.ts';
import { recordedIfAsked, recordNameProblem, withRecordName } from './walkthrough/record.ts';
import { timingsFileProblem, writeTimings } from './walkthrough/timings-file.ts';
import { withRunSandboxHint } from './walkthrough/sandbox-failed.ts';

/** The signals that stop a run against the real Bracken with a word on what it leaves there. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface WalkthroughOptions {
  /** Variables to read instead of .env + process.env (tests). */
  env?: Env;
  /** Where this run keeps its state; default `<stateDir>/walkthrough/<time>-<pid>` (see run-folders.ts). */
  runDir?: string;
  /** Skip the question before creating a user on the real Bracken. */
  yes?: boolean;
  /** How long to wait for the delivery; default 10 s. */
  deliveryTimeoutMs?: number;
  log?: (line: string) => void;
  /** Says what is left in the real Bracken, a line the user must not miss even when stdout is closed (`npm start | head`); default `log`. */
  warn?: (line: string) => void;
  /** Shows progress while waiting; default: a spinner on a terminal, dots otherwise. */
  progress?: NodeJS.WritableStream;
}

export interface WalkthroughResult {
  readonly ok: boolean;
  readonly runDir: string;
  readonly steps: readonly { readonly name: string; readonly ms: number }[];
  readonly totalMs: number;
  /** The configuration the steps ran with (npm start pins its own sandbox and listener); undefined when it could not be made. */
  readonly config: Config | undefined;
}

/** Runs the tutorial end to end; resolves with the outcome (it throws only on programming errors). */
export async function runWalkthrough(options: WalkthroughOptions = {}): Promise<WalkthroughResult> {
  const log = options.log ?? console.log;
  const warn = options.warn ?? log;
  // Its errors go through `log`, to stdout: coloured as stdout takes colour, not stderr.
  const errorText = (error: unknown) => formatError(error, process.stdout);
  const started = performance.now();
  const steps: { name: string; ms: number }[] = [];
  const closers: (() => Promise<void>)[] = [];
  let base: Config;
  try {
    base = loadConfig(options.env === undefined ? {} : { env: options.env });
  } catch (error) {
    // A setting it cannot use: said as every step says it (the error, its code, Next), then exit 1.
    log(errorText(error));
    return { ok: false, runDir: options.runDir ?? '', steps, totalMs: Math.round(performance.now() - started), config: undefined };
  }
  let runDir: string;
  try {
    runDir = options.runDir ?? (await newRunDir(base.stateDir, log));
  } catch (error) {
    log(errorText(error));
    return { ok: false, runDir: '', steps, totalMs: Math.round(performance.now() - started), config: undefined };
  }
  const section = async <T>(name: string, heading: string, body: () => Promise<T>): Promise<T> => {
    log('');
    log(styleText('bold', `## ${heading}`));
    const t0 = performance.now();
    try {
      return await body();
    } finally {
      steps.push({ name, ms: Math.round(performance.now() - t0) });
    }
  };
  const indent = (line: string) => log(`   ${line}`);

  let ok = false;
  let used: Config | undefined;
  // Ctrl-C (or SIGTERM) on the real Bracken: steps 2 and 4 may have made a subscription and a user
  // there that step 6 will not remove now, so say what is left before exiting (the sandbox goes with
  // the run). A request under way (step 4's create) says what it may have made; a second signal exits at once.
  let stopping = false;
  const interrupted = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    void (async () => {
      log('');
      warn(`${signal}: stopped before step 6 (clean up) finished.`);
      for (const line of underWayLines(signal)) warn(line);
      if (used !== undefined) for (const line of await leftInBracken(openState(runDir), used)) warn(line);
      await new Promise((resolve) => process.stdout.write('', resolve));
      process.exit(signalExitCode(signal));
    })();
  };
  try {
    const { config, sandbox } = await prepare(base, options, runDir, log);
    used = config;
    if (config.mode === 'bracken') for (const signal of STOP_SIGNALS) process.on(signal, interrupted);
    if (sandbox !== undefined) closers.push(() => sandbox.close());
    // No "Next:" lines: npm start runs the next step itself, in this terminal.
    const deps = { config, log: indent, next: () => {}, inNpmStart: true };
    if (!config.webhook.events.includes(WEBHOOK_EVENT)) {
      throw new ConfigError(
        CONFIG_INVALID,
        `npm start waits for the User_Create delivery, but WEBHOOK_EVENTS (${config.webhook.events.join(', ')}) leaves out user_create.`,
        {
          hint: 'Add user_create to WEBHOOK_EVENTS in .env, or unset it (the default is user_create).',
        },
      );
    }

    await section('token', 'Get an access token (step 1)', () => getToken(deps));

    // Against the real Bracken with only an ngrok authtoken, the public URL exists only once the
    // tunnel is open, so listen first (the tutorial also starts ngrok before creating the webhook).
    const listenFirst = config.mode === 'bracken' && config.webhook.target === undefined && config.ngrok.domain === undefined;
    let listening: Listening | undefined;
    const startListening = () =>
      section('listen', 'Create an Express app and run it (step 3)', async () => {
        const started = await listen(deps);
        listening = started;
        closers.push(() => started.close());
      });
    if (listenFirst) await startListening();
    // Against the sandbox the listener starts next, on the free port prepare() picked: say so, not "LISTEN_PORT".
    const target =
      sandbox === undefined
        ? undefined
        : { url: `http://127.0.0.1:${config.listen.port}${WEBHOOK_PATH}`, source: 'the listener npm start runs next, on a free port' };
    const events = config.webhook.events.length === 1 ? 'User_Create' : config.webhook.events.join(', ');
    await section('subscribe', `Create a Webhook: subscribe to ${events} (step 2)`, () =>
      subscribeWebhook({ ...deps, ...(target === undefined ? {} : { target }) }),
    );
    if (!listenFirst) await startListening();
    if (listening === undefined) throw new StepError(STEP_PRECONDITION, 'The listener did not start.');
    const running: Listening = listening;

    if (config.mode === 'bracken' && options.yes !== true) {
      // Piped, in CI, or `< /dev/null`: no question can be asked, so say that rather than "this question".
      if (process.stdin.isTTY !== true) {
        throw new StepError(
          STEP_PRECONDITION,
          `npm start asks before it creates a test user in Bracken domain ${config.domainkey}, but stdin is not a terminal to ask on, so it stopped here.`,
          { hint: 'Run `npm start -- --yes` to create the user without the question.' },
        );
      }
      const yes = await confirm(`Create a test user in Bracken domain ${config.domainkey}? Step 6 deletes it again. [y/N] `);
      if (!yes) throw new StepError(STEP_PRECONDITION, 'Stopped before creating a user.', { hint: 'Run `npm start -- --yes` to skip this question.' });
    }
    await section('create-user', 'Trigger Webhook: create a new user via the API (step 4)', () => createTestUser(deps));

    await section('wait', 'Confirm the Webhook was triggered', async () => {
      await waitForDelivery({
        feed: running.listener.feed,
        event: 'User_Create',
        timeoutMs: options.deliveryTimeoutMs ?? 10_000,
        log: indent,
        progress: options.progress ?? process.stderr,
        inspectorUrl: running.inspector.url,
        sender: () =>
          sandbox === undefined ? `Check the subscription's target in Bracken (step 2's Target line) and that it reaches this listener.` : sandboxSide(sandbox),
      });
      await running.listener.idle(); // the handler runs after the 2xx; let its output land here
    });
    await section('verify', 'Authenticate the Webhook (step 5)', () => verifyLatestDelivery(deps));
    await section('cleanup', 'Clean up (step 6)', () => deleteTestUser(deps));
    ok = true;
  } catch (error) {
    log('');
    // In sandbox mode the sandbox is this run's own (prepare starts it): a step's hint for a failed one names another terminal.
    log(base.mode === 'sandbox' ? withRunSandboxHint(errorText(error)) : errorText(error));
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, interrupted);
    for (const close of closers.reverse()) await close().catch((error: unknown) => log(`While stopping: ${(error as Error).message}`));
  }

  const totalMs = Math.round(performance.now() - started);
  log('');
  log(
    ok
      ? styleText('green', `Done in ${(totalMs / 1000).toFixed(1)} s: the User_Create delivery arrived, verified, and the test user is gone.`)
      : styleText(
          'red',
          `The walkthrough did not complete. Its state (${base.mode === 'sandbox' ? 'journal, tokens, sandbox store' : 'journal, tokens'}) is in ${runDir}.`,
        ),
  );
  // The sandbox went with the run; the real Bracken keeps what steps 2 and 4 made until step 6 runs.
  if (!ok && used?.mode === 'bracken') for (const line of await leftInBracken(openState(runDir), used)) warn(line);
  return { ok, runDir, steps, totalMs, config: used };
}

/** The configuration the steps see: against the sandbox, one started here on free ports. */
async function prepare(
  base: Config,
  options: WalkthroughOptions,
  runDir: string,
  log: (line: string) => void,
): Promise<{ config: Config; sandbox: RunningSandbox | undefined }> {
  const env = options.env ?? process.env; // loadConfig() above already merged .env into process.env
  if (base.mode === 'bracken') {
    if (base.webhook.target === undefined && base.ngrok.authtoken === undefined && base.ngrok.domain === undefined) {
      throw new ConfigError(CONFIG_INVALID, 'Against the real Bracken the walkthrough needs a public URL for the listener.', {
        hint: 'Set NGROK_AUTHTOKEN (and optionally NGROK_DOMAIN) in .env for a tunnel, or WEBHOOK_TARGET to a URL that reaches this machine.',
      });
    }
    log(`Running against the real Bracken at ${base.apiUrl}; state goes to ${runDir}.`);
    return { config: loadConfig({ env: { ...env, WORKBENCH_STATE_DIR: runDir } }), sandbox: undefined };
  }

  const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(base), port: 0, stateDir: runDir });
  log(`Started a local Bracken sandbox at ${sandbox.url} (client_id ${sandbox.clientId}, domainkey ${sandbox.domainkey}); state goes to ${runDir}.`);
  // Everything that could point the steps somewhere else is pinned to this run's sandbox and listener.
  const pinned: Record<string, string> = {
    WORKBENCH_STATE_DIR: runDir,
    SANDBOX_PORT: String(sandbox.port),
    SANDBOX_HOST: sandbox.host,
    BRACKEN_IDENTITY_URL: '',
    BRACKEN_API_URL: '',
    LISTEN_HOST: '127.0.0.1',
    LISTEN_PORT: String(await freePort()),
    LISTEN_SCHEME: 'bracken',
    LISTEN_FORWARD_TO: '',
    INSPECT_PORT: '0',
    WEBHOOK_TARGET: '',
    WEBHOOK_SECRET: '',
    WEBHOOK_PREVIOUS_SECRETS: '',
    NGROK_AUTHTOKEN: '',
    NGROK_DOMAIN: '',
  };
  const note = overrideNote(env, pinned);
  if (note !== undefined) log(note);
  return { config: loadConfig({ env: { ...env, ...pinned } }), sandbox };
}

/** Settings the user made that npm start sets aside against its own sandbox, said once, so no line below claims to come from them. */
const OVERRIDDEN_SETTINGS = [
  'LISTEN_HOST',
  'LISTEN_PORT',
  'LISTEN_SCHEME',
  'LISTEN_FORWARD_TO',
  'INSPECT_PORT',
  'WEBHOOK_TARGET',
  'WEBHOOK_SECRET',
  'WEBHOOK_PREVIOUS_SECRETS',
  'NGROK_AUTHTOKEN',
  'NGROK_DOMAIN',
];

function overrideNote(env: Env, pinned: Readonly<Record<string, string>>): string | undefined {
  const set = OVERRIDDEN_SETTINGS.filter((name) => (env[name]?.trim() ?? '') !== '' && env[name]?.trim() !== pinned[name]);
  if (set.length === 0) return undefined;
  const secret = set.includes('WEBHOOK_SECRET') ? '; step 2 generates a fresh secret for this run instead of WEBHOOK_SECRET' : '';
  return `Note: npm start runs its own sandbox and listener on free ports, so this run ignores ${set.join(', ')} from your environment or .env${secret}.`;
}

/** `line` on stdout, or on stderr when stdout is closed (head took its lines and left): the write's callback says which. */
function stdoutOrStderr(line: string): void {
  process.stdout.write(`${line}\n`, (error) => {
    if (error !== null && error !== undefined) process.stderr.write(`${line}\n`);
  });
}

/** What the sandbox made of the User_Create, for when it never reached the listener. */
function sandboxSide(sandbox: RunningSandbox): string {
  const last = sandbox.deliveries().findLast((d) => d.eventname === 'User_Create');
  if (last === undefined) return 'The sandbox queued no User_Create delivery: no active user_create subscription.';
  return last.lastError === null ? `The sandbox's User_Create delivery is ${last.status}.` : `The sandbox's last attempt failed: ${last.lastError}.`;
}

if (isMain(import.meta.url)) {
  // `npm start | head -1` must still run step 6: a closed stdout stops the output, not the run.
  keepRunningWhenOutputCloses();
  const args = readCommandLine({
    args: withRecordName(process.argv.slice(2)),
    options: { yes: { type: 'boolean', short: 'y', default: false }, 'timings-json': { type: 'string' }, record: { type: 'string' } },
    usage: [
      'Usage: npm start [-- --yes] [-- --timings-json <file>] [-- --record [NAME]]',
      "Runs Bracken's webhook tutorial end to end in one process: the sandbox (or the real Bracken, with credentials in .env), steps 1 to 6, and cleans up.",
      '  -y, --yes               on the real Bracken, create the test user without asking first',
      "  --timings-json <file>   write each step's time to <file> (JSON)",
      '  --record [NAME]         record the run as test/fixtures/recorded/NAME/ (named for you without NAME)',
      '  -h, --help              this help',
    ].join('\n'),
    hint: 'npm start takes --yes, --timings-json <file> and --record [NAME]; npm start -- --help says what each does.',
  });
  const timingsFile = args?.['timings-json'];
  // A wrong value for an option is a wrong command line too: refused before the banner, as an unknown option is.
  const problem = recordNameProblem(args?.record) ?? (timingsFile === undefined ? undefined : await timingsFileProblem(timingsFile));
  if (problem !== undefined) {
    console.error(formatError(problem));
    process.exitCode = 2;
  } else if (args !== undefined) {
    console.log(styleText('bold', "Bracken's Step by Step Webhook Tutorial, end to end"));
    const result = await recordedIfAsked(args.record, () => runWalkthrough({ yes: args.yes, warn: stdoutOrStderr }));
    let written = true;
    if (timingsFile !== undefined) {
      try {
        await writeTimings(timingsFile, result);
      } catch (error) {
        console.error(formatError(error));
        written = false;
      }
    }
    // exit() rather than exitCode: a tunnel that timed out can keep the event loop alive. It waits for
    // stdout first, whose last failed writes (a closed pipe) repeat on stderr what is left in Bracken.
    await new Promise((resolve) => process.stdout.write('', resolve));
    process.exit(result.ok && written ? 0 : 1);
  }
}
