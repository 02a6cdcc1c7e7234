/**
 * Which captured delivery is this walkthrough's: the one step 5 verifies. Not simply the newest:
 * the newest may be about an older test user (the new one's never came), an inspector replay, or a
 * sandbox delivery left over while you now talk to the real Bracken. Each delivery that does not
 * count gets the reasons why, so step 5 can say them instead of verifying the wrong one.
 *
 * @example
 * const search = findWalkthroughDelivery(deliveries, { event: 'User_Create', user, config });
 * search.found      // the User_Create naming user.json's user, or undefined
 * search.passedOver // [{ delivery, why: ['about Test-User-old (userkey 1001), not ...: an older user'] }]
 */
import { type Config, canonicalEventName, type EventName, type UserState, WEBHOOK_PATH } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';

/** The User-Agent the sandbox sends (scripts/sandbox/deliveries.ts); Bracken's own is not documented. */
const SANDBOX_USER_AGENT = 'bracken-webhook-workbench-sandbox';
/** A delivery can arrive before step 4 has written user.json (the sender does not wait for the API's answer). */
const CLOCK_MARGIN_MS = 60_000;

export interface WalkthroughQuery {
  /** The event to verify, in Bracken's spelling. */
  readonly event: EventName;
  /** The test user step 4 recorded (user.json). */
  readonly user: UserState;
  readonly config: Pick<Config, 'mode' | 'apiUrl' | 'domainkey'>;
}

export interface PassedOver {
  readonly delivery: DeliveryView;
  /** True when it is a delivery of another event than the one looked for (then `why` says only that, among others). */
  readonly otherEvent: boolean;
  /** Every reason it does not count, each a short phrase. */
  readonly why: readonly string[];
}

export interface WalkthroughSearch {
  /** The newest delivery that counts, if any. */
  readonly found: DeliveryView | undefined;
  /** The other POSTs to the webhook path, newest first. */
  readonly passedOver: readonly PassedOver[];
}

/** The POSTs to the webhook path, and which of them is this walkthrough's `query.event` delivery. */
export function findWalkthroughDelivery(deliveries: readonly DeliveryView[], query: WalkthroughQuery): WalkthroughSearch {
  const posts = deliveries.filter((d) => d.method === 'POST' && d.url.split('?')[0] === WEBHOOK_PATH).reverse();
  const judged = posts.map((delivery) => ({ delivery, otherEvent: eventOf(delivery) !== query.event, why: whyNotThisWalkthrough(delivery, query) }));
  const found = judged.find((entry) => entry.why.length === 0)?.delivery;
  return { found, passedOver: judged.filter((entry) => entry.why.length > 0) };
}

/** Why `delivery` is not this walkthrough's `query.event` delivery; empty when it is. */
export function whyNotThisWalkthrough(delivery: DeliveryView, query: WalkthroughQuery): string[] {
  const { event, user, config } = query;
  const why: string[] = [];
  const agent = delivery.headers.find(([name]) => name.toLowerCase() === 'user-agent')?.[1];
  if (config.mode === 'bracken' && agent === SANDBOX_USER_AGENT) why.push(`sent by the local sandbox, not by Bracken at ${config.apiUrl}: another environment`);

  const payload = parsePayload(delivery);
  const named = eventOf(delivery);
  if (named !== event) why.push(named === undefined ? `names no event, not ${event}` : `a ${named}, not a ${event}`);
  const domainkey = field(payload, 'domainkey');
  if (typeof domainkey === 'number' && domainkey !== config.domainkey) why.push(`for domain ${domainkey}, not ${config.domainkey}: another environment`);

  const about = userOf(payload);
  if (about.userkey === undefined && about.username === undefined) why.push('names no user (no userkey or username)');
  else if ((about.userkey !== undefined && about.userkey !== user.userkey) || (about.username !== undefined && about.username !== user.username)) {
    const older = about.userkey !== undefined && about.userkey < user.userkey;
    why.push(`about ${describeUser(about)}, not ${describeUser(user)} that step 4 recorded: ${older ? 'an older user' : 'another user'}`);
  } else if (Date.parse(delivery.receivedAt) < Date.parse(user.createdAt) - CLOCK_MARGIN_MS) {
    why.push(`received at ${delivery.receivedAt}, before step 4 created ${user.username} at ${user.createdAt}: an older delivery`);
  }
  if (delivery.handler === 'duplicate') why.push("a duplicate of an earlier delivery (the same bytes): an inspector replay or a sender's retry");
  return why;
}

/**
 * One line per passed-over `event` delivery (`<id> at <time>, <event>: <why>; <why>`), newest first,
 * then one line counting the deliveries of other events, which only differ by their event.
 */
export function describePassedOver(passedOver: readonly PassedOver[], event: EventName, limit = 10): string[] {
  const same = passedOver.filter((p) => !p.otherEvent);
  const lines = same.slice(0, limit).map(({ delivery, why }) => `  ${delivery.id} at ${delivery.receivedAt}, ${delivery.event ?? event}: ${why.join('; ')}`);
  if (same.length > limit) lines.push(`  ... and ${same.length - limit} older ${event} deliveries`);
  const counts = new Map<string, number>();
  for (const { delivery } of passedOver.filter((p) => p.otherEvent))
    counts.set(delivery.event ?? '(no event)', (counts.get(delivery.event ?? '(no event)') ?? 0) + 1);
  if (counts.size > 0) lines.push(`  and deliveries of other events: ${[...counts].map(([name, n]) => `${name} ×${n}`).join(', ')}`);
  return lines;
}

/** `Test-User-ab12 (userkey 1001)`, with what is known. */
export function describeUser(user: { readonly userkey?: number | undefined; readonly username?: string | undefined }): string {
  const name = user.username ?? '(no username)';
  return user.userkey === undefined ? name : `${name} (userkey ${user.userkey})`;
}

/**
 * The delivery's event in Bracken's spelling when it is one of the nine. The listener names the
 * event of accepted deliveries only; for a refused one (a bad signature) the payload says it, so
 * this walkthrough's delivery still counts and step 5 can show why it failed.
 */
function eventOf(delivery: DeliveryView): string | undefined {
  const payload = parsePayload(delivery);
  const name = delivery.event ?? ['eventname', 'event', 'type'].map((key) => field(payload, key)).find((value) => typeof value === 'string');
  return typeof name === 'string' ? (canonicalEventName(name) ?? name) : undefined;
}

function parsePayload(delivery: DeliveryView): unknown {
  try {
    return JSON.parse(delivery.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The user a payload names: at the top level (the sandbox's shape), or under `user` or `data` in case Bracken nests it. */
function userOf(payload: unknown): { userkey: number | undefined; username: string | undefined } {
  for (const candidate of [payload, field(payload, 'user'), field(payload, 'data')]) {
    const userkey = field(candidate, 'userkey');
    const username = field(candidate, 'username');
    const key = typeof userkey === 'number' ? userkey : typeof userkey === 'string' && /^\d+$/.test(userkey) ? Number(userkey) : undefined;
    const name = typeof username === 'string' ? username : undefined;
    if (key !== undefined || name !== undefined) return { userkey: key, username: name };
  }
  return { userkey: undefined, username: undefined };
}

/** `object[name]`, matching the key in any letter case (a .NET sender may write `UserKey`). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.entries(value).find(([key]) => key.toLowerCase() === name)?.[1];
}
