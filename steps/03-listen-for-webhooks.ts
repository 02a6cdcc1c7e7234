/**
 * Step 3: listen for webhooks ("Create an Express app" and "Run project" in the tutorial).
 *
 * The tutorial's index.js is `app.post('/webhooks', (req, res) => res.send('OK'))` on port 5000,
 * then `./ngrok http 5000` in a second terminal and ngrok's inspector at http://127.0.0.1:4040.
 * This step does all three in one process: the listener verifies each delivery's signature over
 * the raw bytes before answering, stores it (the file journal, or Postgres with DATABASE_URL), and
 * runs a handler after the answer (with Postgres, `npm run worker` does, unless
 * LISTEN_RUN_HANDLERS=true); the tunnel opens when NGROK_AUTHTOKEN is set; the inspector page
 * shows what arrived. With LISTEN_FORWARD_TO (or `--forward-to URL`) the handler forwards each
 * verified delivery to your own app, as `stripe listen --forward-to` does.
 *
 * Run: npm run step:3 [-- --forward-to http://127.0.0.1:8000/webhooks] (leave it running; Ctrl-C stops it)
 */
import {
  loadConfig,
  WEBHOOK_PATH,
  type Config,
  describeTarget,
  forwardTarget,
  isMain,
  runService,
  openState,
  redactUrlSecrets,
  STATE_FILES,
  type ListenerState,
  type State,
  weakSecretWarning,
} from './lib/core/index.ts';
import { startInspector, type Inspector, type InspectorOptions } from './lib/inspector/index.ts';
import { startListener, type RunningListener, webhookSecrets, sampleHandler, type DeliveryHandler } from './lib/listener/index.ts';
import { openDatabase, openStore, type DeliveryStore, type OpenOptions } from './lib/store/index.ts';
import { createMismatchExplainer } from './lib/diagnose/index.ts';
import { listenScheme, type VerifyInput } from './lib/signature/index.ts';
import { openTunnel, type NgrokLoader, type Tunnel } from './lib/tunnel.ts';
import { subscribedElsewhereNote } from './lib/bracken/index.ts';
import { configuredForwarding, forwardToOption, refuseOwnPublicUrl, workersForwardHint } from './lib/forward/index.ts';

export interface ListenDeps {
  config?: Config;
  state?: State;
  log?: (line: string) => void;
  /**
   * Default: forwarding to the user's app when there is a forward target, else the sample handlers,
   * one per event family, which print what a real handler would act on.
   */
  handler?: DeliveryHandler;
  /** `--forward-to URL` from the command line: wins over LISTEN_FORWARD_TO. */
  forwardTo?: string;
  /** Explains a failed signature in the log line (the diagnosis module). */
  explainMismatch?: (input: VerifyInput) => string | undefined;
  loadNgrok?: NgrokLoader;
  startInspector?: (options: InspectorOptions) => Promise<Inspector>;
  /** Prints what to run next in another terminal; default a `Next:` line, npm start passes a no-op. */
  next?: (what: string) => void;
  /** Default: the file journal, or Postgres when DATABASE_URL is set. */
  openStore?: (config: Config, options: OpenOptions) => Promise<DeliveryStore>;
}

export interface Listening {
  readonly listener: RunningListener;
  readonly inspector: Inspector;
  readonly tunnel: Tunnel | null;
  readonly store: DeliveryStore;
  /** e.g. https://abcd.ngrok-free.app/webhooks, when the tunnel is open. */
  readonly publicUrl: string | undefined;
  /** The user's app each verified delivery is forwarded to (LISTEN_FORWARD_TO, `--forward-to`), if any. */
  readonly forwardTo: string | undefined;
  readonly readyLine: string;
  /** Closes the tunnel, inspector, listener, worker and store, and removes listener.json. */
  close(): Promise<void>;
}

/** Starts listener, inspector and (with a token) tunnel; logs one ready line. */
export async function listen(deps: ListenDeps = {}): Promise<Listening> {
  const { config = loadConfig(), log = console.log } = deps;
  const { state = openState(config.stateDir) } = deps;
  log(describeTarget(config));
  const cleanup: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((error: unknown) => log(`While stopping: ${(error as Error).message}`));
  };

  try {
    // "app.post('/webhooks', ...)": which signature to expect, and the secret step 2 subscribed with.
    const scheme = listenScheme(config.listen.scheme);
    const secrets = webhookSecrets({ config, state });
    const known = await secrets().catch((error: unknown) => {
      log(`Cannot read the webhook secret yet: ${(error as Error).message}`);
      return [];
    });
    if (known.length === 0) {
      log('No webhook secret yet: until step 2 records one (or WEBHOOK_SECRET is set), every delivery is refused with 401 no_secret.');
      (deps.next ?? ((what: string) => log(`Next: ${what}`)))('npm run step:2 (it records the secret; this listener picks it up without a restart).');
    }
    const weak = config.webhook.secret === undefined ? undefined : weakSecretWarning(config.webhook.secret, 'WEBHOOK_SECRET');
    if (weak !== undefined) log(weak);
    // Your own app behind the listener: checked before anything starts (a URL on loopback, not the listener itself).
    const forwarding = configuredForwarding(config, deps.forwardTo, log);
    const forwardTo = forwarding?.url;
    const forwardName = deps.forwardTo === undefined ? 'LISTEN_FORWARD_TO' : '--forward-to';

    // Every answered request is stored first (journal or Postgres), so nothing acknowledged is lost on a crash.
    const store = await (deps.openStore ?? openStore)(config, { role: 'listener', log });
    cleanup.push(() => store.close());
    const handler = deps.handler ?? forwarding?.handler ?? sampleHandler(log);
    if (forwarding !== undefined && (!store.queuesHandlers || config.handlers.runInListener)) log(forwarding.description);
    if (store.queuesHandlers) {
      log(`Deliveries go to Postgres (${store.location}).`);
      if (config.handlers.runInListener) {
        // One machine, one command: this process also runs a worker (its own pool: it commits asynchronously).
        const workerStore = await openDatabase(config, { role: 'worker', log });
        cleanup.push(() => workerStore.close());
        const worker = await workerStore.work(handler, { concurrency: config.handlers.workerConcurrency });
        cleanup.push(() => worker.close());
        log('LISTEN_RUN_HANDLERS=true: this process also runs the handlers.');
      } else {
        log('Handlers run in `npm run worker` (set LISTEN_RUN_HANDLERS=true to run them here too).');
        if (forwardTo !== undefined) log(workersForwardHint(forwardTo));
      }
    }

    // "app.listen(5000, ...)"
    const listener = await startListener({
      host: config.listen.host,
      port: config.listen.port,
      scheme,
      secrets,
      bodyLimitBytes: config.listen.bodyLimitBytes,
      requestTimeoutMs: config.listen.requestTimeoutMs,
      store,
      // With Postgres the queue hands deliveries to workers; with the journal this process runs them.
      ...(store.queuesHandlers ? {} : { handler, retry: config.handlers }),
      // A failed signature is logged with the likely mistake (re-serialized body, whitespace in the secret...).
      explainMismatch: deps.explainMismatch ?? createMismatchExplainer(scheme),
      log,
    });
    cleanup.push(() => listener.close());
    // On a free port (LISTEN_PORT=0) only now is it known whether the forward target is this listener.
    if (forwardTo !== undefined) forwardTarget(forwardName, forwardTo, { host: config.listen.host, port: listener.port });

    // "Copy this address ... http://127.0.0.1:4040": our own inspector, on loopback only.
    const inspector = await (deps.startInspector ?? startInspector)({
      port: config.inspect.port,
      store,
      replayUrl: listener.url,
      ...(forwardTo === undefined ? {} : { forwardTo }),
      log,
    });
    cleanup.push(() => inspector.close());

    // "./ngrok http 5000": forwards the listener's port and nothing else.
    const tunnel = await openTunnel({
      port: listener.port,
      host: config.listen.host,
      authtoken: config.ngrok.authtoken,
      domain: config.ngrok.domain,
      timeoutMs: config.ngrok.timeoutMs,
      log,
      ...(deps.loadNgrok === undefined ? {} : { load: deps.loadNgrok }),
    });
    if (tunnel !== null) cleanup.push(() => tunnel.close());
    if (tunnel !== null && forwardTo !== undefined) refuseOwnPublicUrl(forwardName, forwardTo, tunnel.url);
    const publicUrl = tunnel === null ? undefined : `${tunnel.url}${WEBHOOK_PATH}`;
    if (tunnel === null) {
      log(
        config.mode === 'sandbox'
          ? 'No NGROK_AUTHTOKEN: listening on this machine only, which is all the local sandbox needs.'
          : 'No NGROK_AUTHTOKEN: listening on this machine only, so Bracken cannot reach it. Set NGROK_AUTHTOKEN in .env (https://dashboard.ngrok.com/get-started/your-authtoken) for a public URL.',
      );
    }

    // Tell step 2 (and you) where we are; removed again on exit.
    const record: ListenerState = { localUrl: listener.url, publicUrl, inspectorUrl: inspector.url, pid: process.pid, startedAt: new Date().toISOString() };
    await state.write('listener', record);
    cleanup.push(() => state.remove('listener'));
    const note = subscribedElsewhereNote(await state.read('webhook').catch(() => undefined), record, state.path(STATE_FILES.webhook));
    if (note !== undefined) log(note);

    const readyLine =
      `Listening for webhooks at ${listener.url}${publicUrl === undefined ? '' : ` (public: ${publicUrl})`} · inspector ${inspector.url}` +
      (forwardTo === undefined ? '' : ` · forwarding to ${redactUrlSecrets(forwardTo)}`);
    log(readyLine);
    let closing: Promise<void> | undefined;
    return { listener, inspector, tunnel, store, publicUrl, forwardTo, readyLine, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The command-line entry: start, print, and stop cleanly on Ctrl-C or SIGTERM. */
export function main(deps: ListenDeps = {}): Promise<void> {
  return runService({
    title: 'Step 3: listen for webhooks',
    start: () => listen(deps),
    ready: () => 'Leave this running. Next, in another terminal: npm run step:2 (if not done yet), then npm run step:4. Ctrl-C stops it.',
  });
}

if (isMain(import.meta.url)) {
  const options = forwardToOption(
    'npm run step:3',
    'Step 3: runs the listener (express, on LISTEN_PORT), the ngrok tunnel to it and the inspector, until Ctrl-C.',
  );
  if (options !== undefined) await main(options);
}
