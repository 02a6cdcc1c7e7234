/**
 * Step 2: subscribe to the User_Create webhook ("Create a Webhook" in the tutorial).
 *
 * The tutorial's webhook-User_Create.py gets a token, then PUTs
 * {"target": "<ngrok URL>/webhooks", "secret": "12345", "active": true} to
 * https://api.brackenlearning.com/api/webhook/merge/domain/{domainkey}/event/user_create.
 * This step does the same with a public URL it finds for you and a strong secret, once for each
 * event in WEBHOOK_EVENTS (default user_create, as the tutorial), all with the same target and secret.
 *
 * Run: npm run step:2
 *      WEBHOOK_EVENTS=user_create,module_complete npm run step:2
 *      npm run step:2 -- --print-secret
 * `npm run step:2 -- --print-secret` subscribes nothing: it prints the secret step 2 subscribed with,
 * in full and nothing else, for your own receiver's `.env` (like `stripe listen --print-secret`).
 */
import {
  resolveStepDeps,
  type StepDeps,
  describeTarget,
  isMain,
  runStep,
  readCommandLine,
  printable,
  redact,
  belongsToConfigured,
  STATE_FILES,
  WEBHOOK_EVENT,
  type WebhookState,
  type WebhookSubscription,
  formatError,
  type Config,
  STEP_PRECONDITION,
  StepError,
  weakSecretWarning,
  sayIfInterrupted,
  shellWord,
} from './lib/core/index.ts';
import { createBrackenApi, webhookMergePath, resolveWebhookSecret, resolveWebhookTarget, type ResolvedTarget } from './lib/bracken/index.ts';
import { recordingStep } from './lib/record/index.ts';

export interface SubscribeWebhookDeps extends StepDeps {
  /** Whether a listener's pid is alive (tests replace it). */
  isRunning?: (pid: number) => boolean;
  /** The target to subscribe, when the caller knows where its listener is (npm start's own, on a free port). */
  target?: ResolvedTarget;
}

/** Subscribes `target` to each event in WEBHOOK_EVENTS with one secret, records them all in webhook.json, and returns the record. */
export async function subscribeWebhook(deps: SubscribeWebhookDeps = {}): Promise<WebhookState> {
  // Prerequisites: a token (step 1 caches one; this step gets one if needed) and a URL Bracken can
  // reach: WEBHOOK_TARGET, NGROK_DOMAIN, a running `npm run step:3` with a tunnel, or the sandbox.
  const step = resolveStepDeps(deps);
  const { config, state, log, now, next, inNpmStart } = step;
  log(describeTarget(config));

  // "Copy the Ngrok HTTPs URL ... This is going to be your target". Don't forget /webhooks.
  const previous = await state.read('webhook');
  const target = deps.target ?? resolveWebhookTarget(config, await state.read('listener'), deps.isRunning);
  {
    if (new URL(target.url).pathname === '/') log('Note: the target has no path; the listener answers on /webhooks.');
    log(`Target: ${target.url} (from ${target.source})`);
  }

  // "It is strongly advised to have a secure secret": never the tutorial's "12345".
  const { secret, source } = resolveWebhookSecret(config, previous);
  {
    log(`Secret: ${redact(secret)} (${source}); the listener (step 3) verifies signatures with it.`);
    const events = config.webhook.events;
    const tutorials = events.length === 1 && events[0] === WEBHOOK_EVENT;
    log(`Events: ${events.join(', ')} (${tutorials ? "the tutorial's; WEBHOOK_EVENTS subscribes others too" : 'from WEBHOOK_EVENTS'})`);
    const weak = weakSecretWarning(secret, source);
    if (weak !== undefined) log(weak);
  }

  // Subscriptions recorded for another Bracken or domain are not this one's to keep track of.
  let record: WebhookState = { apiUrl: config.apiUrl, domainkey: config.domainkey, secret, subscriptions: [] };
  if (previous !== undefined && belongsToConfigured(previous, config)) record = { ...record, subscriptions: previous.subscriptions };
  else if (previous?.subscriptions.some((s) => s.active) === true) {
    log(
      `Note: ${STATE_FILES.webhook} recorded active subscriptions on ${previous.apiUrl} (domainkey ${previous.domainkey}); they are no longer recorded, so step 6 will not deactivate them.`,
    );
  }

  // "create the webhook and call it": s.put(urlMerge_Webhook, json={target, secret, active: True}), once per event.
  const api = createBrackenApi(step);
  for (const event of config.webhook.events) {
    const url = `${config.apiUrl}${webhookMergePath(config.domainkey, event)}`;
    log(`PUT ${url} {target, secret, active: true}`);
    // A Ctrl-C now may leave an active subscription that webhook.json does not record, so step 6 would not switch it off.
    const interrupted = (signal: NodeJS.Signals) => interruptedLines(signal, { url, event, target: target.url, stateDir: state.dir, config, inNpmStart });
    const answer = await sayIfInterrupted(interrupted, () => api.mergeWebhook(event, { target: target.url, secret, active: true }));
    // The tutorial prints response.json(), which may echo the secret: printable() redacts it.
    log(`Bracken answered: ${answer.status} ${printable(answer.data, [secret])}`);
    // Recorded after each merge: if a later one fails, step 6 still knows about this one.
    record = withSubscription(record, { event, target: target.url, active: true, subscribedAt: new Date(now()).toISOString() });
    await state.write('webhook', record);
  }

  // Step 3 verifies with the secret, step 6 deactivates every subscription recorded here.
  {
    log(`Subscribed: saved in ${state.path(STATE_FILES.webhook)} (mode 0600).`);
    next('keep the listener running (`npm run step:3` in another terminal), then npm run step:4 to create a user.');
  }
  return record;
}

/**
 * What a Ctrl-C during the PUT for `event` leaves: a subscription Bracken may have made that
 * webhook.json does not record, and how to get it recorded so step 6 switches it off. Under npm
 * start, a target from the run's own tunnel (no WEBHOOK_TARGET, no NGROK_DOMAIN) is gone with the
 * run, and step 2 alone would find no public URL: the command names it. npm start's sandbox is gone too.
 */
function interruptedLines(
  signal: NodeJS.Signals,
  put: { url: string; event: string; target: string; stateDir: string; config: Config; inNpmStart: boolean },
): string[] {
  const { config } = put;
  const stopped = `${signal}: stopped while PUT ${put.url} was under way`;
  if (put.inNpmStart && config.mode === 'sandbox') return [`${stopped}; the sandbox was this run's own, so no subscription is left.`];
  const goneTunnel = put.inNpmStart && config.webhook.target === undefined && config.ngrok.domain === undefined;
  const inDir = `WORKBENCH_STATE_DIR=${shellWord(put.stateDir)}`;
  const step2 = `\`${goneTunnel ? `WEBHOOK_TARGET=${shellWord(put.target)} ` : ''}${inDir} npm run step:2\``;
  const why = `${goneTunnel ? 'that tunnel closed with this run, so WEBHOOK_TARGET names its URL; ' : ''}it merges the same subscription and records it`;
  const step6 = put.inNpmStart ? `\`${inDir} npm run step:6\`` : 'step 6';
  return [
    `${stopped}, so Bracken may have subscribed ${put.target} to ${put.event}, unrecorded.`,
    `Next: run ${step2}${put.inNpmStart ? '' : ' again'} (${why}), then ${step6} switches it off.`,
  ];
}

/** `record` with `subscription` replacing the one for the same event, or added after the others. */
function withSubscription(record: WebhookState, subscription: WebhookSubscription): WebhookState {
  const same = (s: WebhookSubscription) => s.event.toLowerCase() === subscription.event.toLowerCase();
  const subscriptions = record.subscriptions.some(same)
    ? record.subscriptions.map((s) => (same(s) ? subscription : s))
    : [...record.subscriptions, subscription];
  return { ...record, subscriptions };
}

/**
 * The secret the subscription in webhook.json signs with, for `--print-secret`. Throws StepError when
 * step 2 has not subscribed yet for the Bracken and domain configured now.
 */
export async function subscribedSecret(deps: StepDeps = {}): Promise<string> {
  const { config, state } = resolveStepDeps(deps);
  const webhook = await state.read('webhook');
  if (webhook === undefined || !belongsToConfigured(webhook, config)) {
    throw new StepError(STEP_PRECONDITION, `No subscription for ${config.apiUrl} (domainkey ${config.domainkey}) in ${state.path(STATE_FILES.webhook)} yet.`, {
      hint: 'Run `npm run step:2` first; it subscribes and records the secret, then `npm run step:2 -- --print-secret` prints it.',
    });
  }
  return webhook.secret;
}

/** `npm run step:2 -- --print-secret`: stdout carries the secret and a newline, nothing else (`WEBHOOK_SECRET=$(npm run -s step:2 -- --print-secret)`). */
async function printSecret(): Promise<void> {
  try {
    process.stdout.write(`${await subscribedSecret()}\n`);
  } catch (error) {
    console.error(formatError(error));
    process.exitCode = 1;
  }
}

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: { 'print-secret': { type: 'boolean', default: false } },
    usage: [
      'Usage: npm run step:2 [-- --print-secret]',
      'Step 2: subscribes the listener to the webhooks of WEBHOOK_EVENTS (default user_create, as the tutorial) and saves webhook.json.',
      "  --print-secret   print the subscription's secret and a newline, nothing else (WEBHOOK_SECRET=$(npm run -s step:2 -- --print-secret))",
      '  -h, --help       this help',
    ].join('\n'),
    hint: 'Step 2 takes one option: npm run step:2 -- --print-secret',
  });
  if (options?.['print-secret'] === true) await printSecret();
  else if (options !== undefined)
    await runStep('Step 2: subscribe to the webhooks (WEBHOOK_EVENTS, default User_Create as the tutorial)', () =>
      recordingStep('step:2', () => subscribeWebhook()),
    );
}
