/**
 * Step 5: verify the delivery the listener captured ("Authenticate Webhook" in the tutorial).
 *
 * The tutorial recomputes Bracken's signature and compares it with the Authorization header:
 *
 *   const front = "HMACSHA256 ";
 *   const hash = crypto.createHmac('sha256', secret).update(JSON.stringify(req.body)).digest('base64');
 *   const yourSignature = front + hash;
 *   if ((brackenWebhookSignature != null) && brackenWebhookSignature == yourSignature) ...
 *
 * This step makes the same computation (yourSignature() below) on the delivery step 3 journalled,
 * over the raw body bytes instead of a re-serialization, and shows each part: the body, the secret
 * (redacted), the computed and the received signature, whether they match, and whether the
 * re-serialization would have changed the bytes. When they do not match it names the usual mistake
 * that explains it. LISTEN_SCHEME may name another provider's scheme: lib/report/ computes theirs.
 *
 * Which delivery: this walkthrough's, the User_Create (or `--event`) delivery whose payload names the
 * user step 4 recorded in user.json. When none does, the step lists what it found, says why each does
 * not count (an older user, a duplicate replay, another environment), and fails. `--latest` takes
 * the newest delivery whatever it is, as earlier versions did.
 *
 * Run: npm run step:5                          (after step 4, with step 3 running)
 *      npm run step:5 -- --event module_complete (after `npm run trigger -- module_complete`)
 *      npm run step:5 -- --latest
 */
import { createHmac } from 'node:crypto';
import {
  loadConfig,
  type Config,
  CONFIG_INVALID,
  ConfigError,
  EVENT_NAMES,
  canonicalEventName,
  type EventName,
  STEP_PRECONDITION,
  STEP_VERIFY_FAILED,
  StepError,
  redact,
  describeTarget,
  isMain,
  runStep,
  readCommandLine,
  openState,
  type State,
} from './lib/core/index.ts';
import type { DeliveryView } from './lib/delivery/index.ts';
import { diagnose } from './lib/diagnose/index.ts';
import { describeForwards } from './lib/forward/index.ts';
import { webhookSecrets } from './lib/listener/index.ts';
import {
  checkReserialization,
  computedSignature,
  chooseDelivery,
  describeBody,
  describeEvent,
  describeReserialization,
  headerLine,
  headersOf,
  latestWebhookDelivery,
  receivedSignature,
  type ReserializationCheck,
} from './lib/report/index.ts';
import { bracken, listenScheme, type VerifyInput } from './lib/signature/index.ts';
import { readDeliveries } from './lib/store/index.ts';
import { recordingStep } from './lib/record/index.ts';

export interface VerifyDeliveryDeps {
  config?: Config;
  state?: State;
  log?: (line: string) => void;
  /** Default: the journal, or Postgres when DATABASE_URL is set. */
  readDeliveries?: typeof readDeliveries;
  /** The event to verify, any letter case; default User_Create (the tutorial's). */
  event?: string;
  /** Verify the newest delivery whatever it is (the behaviour before this walkthrough's delivery was looked for). */
  latest?: boolean;
}

export interface VerifiedDelivery {
  readonly delivery: DeliveryView;
  readonly scheme: string;
  /** Which secret matched: 0 the current one, 1+ a previous one (WEBHOOK_PREVIOUS_SECRETS). */
  readonly secretIndex: number;
  readonly reserialization: ReserializationCheck;
}

/**
 * Verifies this walkthrough's delivery (or, with `latest`, the newest one). Throws StepError
 * STEP_VERIFY_FAILED when there is none or it does not verify, STEP_PRECONDITION when no user is recorded.
 */
export async function verifyLatestDelivery(deps: VerifyDeliveryDeps = {}): Promise<VerifiedDelivery> {
  const { config = loadConfig(), log = console.log } = deps;
  const state = deps.state ?? openState(config.stateDir);
  log(describeTarget(config));
  const scheme = listenScheme(config.listen.scheme);
  const event = eventOption(deps.event);

  // The tutorial opens ngrok's inspector to see the delivery; here, the ones the listener stored.
  const { deliveries, warnings, location } = await (deps.readDeliveries ?? readDeliveries)(config);
  for (const warning of warnings) log(`Journal: ${warning}`);
  if (latestWebhookDelivery(deliveries) === undefined) {
    throw new StepError(STEP_VERIFY_FAILED, `No delivery has been captured yet (${location}).`, {
      hint: 'Run `npm run step:3` and leave it running, then `npm run step:4` to create a test user, which fires User_Create.',
    });
  }
  // This walkthrough's delivery: the one naming the user step 4 recorded (or, with --latest, the newest).
  const delivery = chooseDelivery(deliveries, { event, user: await state.read('user'), config, location, latest: deps.latest === true }, log);
  log(`Delivery: ${delivery.id}, ${delivery.method} ${delivery.url} at ${delivery.receivedAt} (the listener answered ${delivery.status}, ${delivery.verdict})`);
  // With LISTEN_FORWARD_TO, what the user's app made of it: a delivery that verifies may still have been refused there.
  const forwarded = describeForwards(delivery);
  if (forwarded !== undefined) log(forwarded);

  // The "same secret you declared when creating the webhook" (step 2), plus older ones during a rotation.
  const secrets = await webhookSecrets({ config, state })();
  const source = config.webhook.secret === undefined ? 'webhook.json (step 2)' : 'WEBHOOK_SECRET';
  if (secrets.length === 0) {
    throw new StepError(STEP_PRECONDITION, 'There is no webhook secret to verify with.', {
      hint: 'Run `npm run step:2` (it stores the secret in webhook.json), or set WEBHOOK_SECRET in .env.',
    });
  }
  const { body } = delivery;
  for (const line of describeBody(delivery, body, secrets)) log(line);
  for (const line of describeEvent(body, delivery.event)) log(line);
  log(
    `Secret: ${redact(secrets[0])}, from ${source}${secrets.length > 1 ? `; and ${secrets.length - 1} previous secret(s) from WEBHOOK_PREVIOUS_SECRETS` : ''}`,
  );

  // "we have encrypted our secret and the JSON body ... Next in the code we are comparing if our signature
  // matches the Authorization header". verify() makes that comparison in constant time, under every
  // accepted secret; timestamped schemes are checked as of the arrival time, as the listener checked them.
  const input: VerifyInput = { body, headers: headersOf(delivery), secrets, url: delivery.url, now: () => Date.parse(delivery.receivedAt) };
  const result = scheme.verify(input);
  const secret = secrets[result.ok ? result.secretIndex : 0] ?? '';
  // Bracken's signature is computed here, the tutorial's way; another LISTEN_SCHEME's by the report.
  const tutorialScheme = scheme === bracken;
  const computed = tutorialScheme ? headerLine(delivery, 'authorization', yourSignature(secret, body)) : computedSignature(scheme, input, secret, delivery);
  log(`Scheme: ${scheme.name} (${scheme.description})`);
  log(`Computed: ${computed}`);
  log(`Received: ${receivedSignature(scheme, delivery)}`);
  log(
    result.ok
      ? `Match: yes, with ${result.secretIndex === 0 ? 'the current secret' : `previous secret #${result.secretIndex}`}.`
      : `Match: no: ${result.reason}: ${result.message}`,
  );

  // Why this project hashes the raw bytes and not JSON.stringify(req.body) as the tutorial does.
  const reserialization = checkReserialization(body);
  const tutorialWouldCompute = tutorialScheme && reserialization.reserialized !== undefined ? yourSignature(secret, reserialization.reserialized) : undefined;
  for (const line of describeReserialization(reserialization, tutorialWouldCompute)) log(line);

  if (!result.ok) {
    const diagnosis = diagnose(scheme, input);
    log(diagnosis ? `Diagnosis: ${diagnosis.code}: ${diagnosis.explanation} ${diagnosis.fix}` : 'Diagnosis: none of the usual mistakes explains it.');
    throw new StepError(STEP_VERIFY_FAILED, `Delivery ${delivery.id} does not verify: ${result.reason}.`, {
      hint:
        diagnosis?.fix ??
        `Check that ${source} holds the secret step 2 subscribed with (npm run step:2 again re-subscribes), and that LISTEN_SCHEME (${scheme.name}) is what the sender uses.`,
    });
  }
  return { delivery, scheme: scheme.name, secretIndex: result.secretIndex, reserialization };
}

/** `--event`'s value in Bracken's spelling (default User_Create); ConfigError for a name Bracken does not document. */
function eventOption(name: string | undefined): EventName {
  const event = canonicalEventName(name ?? 'User_Create');
  if (event === undefined) {
    throw new ConfigError(CONFIG_INVALID, `--event ${JSON.stringify(name)} is not a Bracken event.`, {
      hint: `Use one of ${EVENT_NAMES.join(', ')} (any letter case), e.g. npm run step:5 -- --event module_complete.`,
    });
  }
  return event;
}

/**
 * The tutorial's signature, written as the tutorial writes it: the HMAC-SHA256 of the bytes under
 * the secret, base64-encoded, after "HMACSHA256 ". The tutorial passes JSON.stringify(req.body);
 * this step passes the raw body (and the re-serialized one, to show what the tutorial would get).
 */
function yourSignature(secret: string, bytes: Uint8Array | string): string {
  const front = 'HMACSHA256 ';
  const hash = createHmac('sha256', secret).update(bytes).digest('base64');
  return front + hash;
}

if (isMain(import.meta.url)) {
  const values = readCommandLine({
    options: { event: { type: 'string' }, latest: { type: 'boolean', default: false } },
    usage: [
      'Usage: npm run step:5 [-- --event <name>] [-- --latest]',
      "Step 5: verifies the delivery step 4's user caused, as the tutorial's Authenticate Webhook does, and explains it.",
      "  --event <name>   that event's delivery instead of User_Create (any letter case)",
      '  --latest         the newest delivery, whatever it is',
      '  -h, --help       this help',
    ].join('\n'),
    hint: 'Step 5 takes npm run step:5 [-- --event <name>] [-- --latest].',
  });
  if (values !== undefined) {
    const options = { latest: values.latest, ...(values.event === undefined ? {} : { event: values.event }) };
    await runStep('Step 5: verify the captured delivery (Authenticate Webhook)', () =>
      recordingStep('step:5', () => verifyLatestDelivery(options), { deliveries: 'this-user' }),
    );
  }
}
