/**
 * Which delivery step 5 verifies, said as it goes: this walkthrough's (the `event` delivery naming
 * the user step 4 recorded), or with `latest` the newest, as earlier versions took it. When none is
 * this walkthrough's, it lists what it found and why each does not count, then throws: a step that
 * verified some other delivery would reassure falsely.
 *
 * @example
 * const delivery = chooseDelivery(deliveries, { event: 'User_Create', user, config, location: 'journal: .workbench/journal', latest: false }, log);
 */
import { type Config, type EventName, STEP_PRECONDITION, STEP_VERIFY_FAILED, StepError, type UserState, belongsToConfigured } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';
import { latestWebhookDelivery } from './captured-delivery.ts';
import { describePassedOver, describeUser, findWalkthroughDelivery, whyNotThisWalkthrough } from './walkthrough-delivery.ts';

export interface DeliveryChoice {
  readonly event: EventName;
  /** user.json, when step 4 recorded one. */
  readonly user: UserState | undefined;
  readonly config: Config;
  /** Where the deliveries were read from, for the error message. */
  /** Where the deliveries were read, for the message: `journal: <folder>` or `store: <DATABASE_URL, password hidden>`. */
  readonly location: string;
  /** Take the newest delivery, whatever it is. */
  readonly latest: boolean;
}

const LATEST = 'or `npm run step:5 -- --latest` to verify the newest delivery whatever it is';

/**
 * The delivery to verify, from `deliveries` (at least one). Throws StepError STEP_PRECONDITION when
 * no user (or one of another Bracken) is recorded, STEP_VERIFY_FAILED when none is this walkthrough's.
 */
export function chooseDelivery(deliveries: readonly DeliveryView[], choice: DeliveryChoice, log: (line: string) => void): DeliveryView {
  return choice.latest ? newest(deliveries, choice, log) : thisWalkthroughs(deliveries, choice, log);
}

function thisWalkthroughs(deliveries: readonly DeliveryView[], choice: DeliveryChoice, log: (line: string) => void): DeliveryView {
  const { event, user, config, location } = choice;
  if (user === undefined) {
    throw new StepError(STEP_PRECONDITION, "No test user is recorded (user.json), so step 5 cannot tell which delivery is this walkthrough's.", {
      hint: `Run \`npm run step:4\` (it records the user it creates, and its User_Create is the delivery to verify), ${LATEST}.`,
    });
  }
  if (!belongsToConfigured(user, config)) {
    throw new StepError(
      STEP_PRECONDITION,
      `user.json records a user on ${user.apiUrl} (domainkey ${user.domainkey}), not on ${config.apiUrl} (domainkey ${config.domainkey}).`,
      { hint: `Switch .env back to that Bracken, ${LATEST}.` },
    );
  }
  log(`Looking for: the ${event} delivery about ${describeUser(user)}, the user step 4 created at ${user.createdAt}.`);
  const { found, passedOver } = findWalkthroughDelivery(deliveries, { event, user, config });
  if (found !== undefined) {
    const newer = passedOver.filter((p) => p.delivery.receivedAt > found.receivedAt);
    if (newer.length > 0) log(`Passed over ${newer.length} newer ${newer.length === 1 ? 'delivery' : 'deliveries'}:`);
    for (const line of describePassedOver(newer, event)) log(line);
    return found;
  }
  log(`Found ${passedOver.length} ${passedOver.length === 1 ? 'delivery' : 'deliveries'} to POST /webhooks; none is this walkthrough's:`);
  for (const line of describePassedOver(passedOver, event)) log(line);
  const again =
    event === 'User_Create'
      ? 'delete and create the user again (npm run step:6, then npm run step:4)'
      : `fire it again (npm run trigger -- ${event.toLowerCase()})`;
  throw new StepError(STEP_VERIFY_FAILED, `No ${event} delivery about ${describeUser(user)} was stored (${location}).`, {
    hint: `Check that step 3 is running and that ${event.toLowerCase()} has an active subscription (npm run step:2; step 4 said what it found), then ${again}; ${LATEST}.`,
  });
}

function newest(deliveries: readonly DeliveryView[], choice: DeliveryChoice, log: (line: string) => void): DeliveryView {
  const delivery = latestWebhookDelivery(deliveries) as DeliveryView;
  const { event, user, config } = choice;
  const why = user === undefined ? [] : whyNotThisWalkthrough(delivery, { event, user, config });
  log(
    why.length === 0
      ? '--latest: the newest delivery, whatever it is.'
      : `--latest: the newest delivery, on purpose, though it is not this walkthrough's ${event}: ${why.join('; ')}.`,
  );
  return delivery;
}
