/**
 * What webhook.json says about one event's subscription, next to where the listener runs: step 4
 * says it before creating a user (and promises a delivery only when one will be sent), step 3 warns
 * when deliveries go somewhere else.
 *
 * @example
 * const status = subscriptionStatus({ webhook, listener, config, event: 'user_create' });
 * status.kind // 'none' | 'inactive' | 'elsewhere' | 'active'
 */
import { belongsToConfigured, type Config, type ListenerState, type WebhookState, type WebhookSubscription } from '../core/index.ts';

export type SubscriptionStatus =
  /** No subscription for the event is recorded for this Bracken and domain: nothing will be sent. */
  | { readonly kind: 'none'; readonly why: string }
  /** Recorded, but switched off (step 6): nothing will be sent. */
  | { readonly kind: 'inactive'; readonly subscription: WebhookSubscription }
  /** Active, but its target is not the running listener: deliveries go to that target. */
  | { readonly kind: 'elsewhere'; readonly subscription: WebhookSubscription; readonly listenerUrl: string }
  /** Active, to the running listener (or no listener is running to compare with). */
  | { readonly kind: 'active'; readonly subscription: WebhookSubscription; readonly listenerUrl: string | undefined };

export interface StatusInput {
  readonly webhook: WebhookState | undefined;
  /** listener.json of a listener that is running now; undefined when none is. */
  readonly listener: ListenerState | undefined;
  readonly config: Pick<Config, 'apiUrl' | 'domainkey'>;
  /** The event, in any letter case. */
  readonly event: string;
}

/** The recorded subscription to `event`, whatever its state. */
export function findSubscription(webhook: WebhookState | undefined, event: string): WebhookSubscription | undefined {
  return webhook?.subscriptions.find((s) => s.event.toLowerCase() === event.toLowerCase());
}

/** Where `event`'s deliveries will go, as far as webhook.json and listener.json tell. */
export function subscriptionStatus(input: StatusInput): SubscriptionStatus {
  const { webhook, listener, config, event } = input;
  if (webhook === undefined) return { kind: 'none', why: 'no webhook.json: step 2 has not subscribed' };
  if (!belongsToConfigured(webhook, config)) {
    return { kind: 'none', why: `webhook.json records subscriptions on ${webhook.apiUrl} (domainkey ${webhook.domainkey}), not on this Bracken` };
  }
  const subscription = findSubscription(webhook, event);
  if (subscription === undefined) return { kind: 'none', why: `webhook.json records no ${event} subscription` };
  if (!subscription.active) return { kind: 'inactive', subscription };
  if (listener !== undefined && !isListener(subscription.target, listener)) {
    return { kind: 'elsewhere', subscription, listenerUrl: listener.publicUrl ?? listener.localUrl };
  }
  return { kind: 'active', subscription, listenerUrl: listener === undefined ? undefined : (listener.publicUrl ?? listener.localUrl) };
}

/** A note when active subscriptions send to some other URL than this listener's, so deliveries go elsewhere. */
export function subscribedElsewhereNote(webhook: WebhookState | undefined, here: ListenerState, webhookFile: string): string | undefined {
  const elsewhere = (webhook?.subscriptions ?? []).filter((s) => s.active && !isListener(s.target, here));
  if (elsewhere.length === 0) return undefined;
  const targets = [...new Set(elsewhere.map((s) => s.target))].join(', ');
  const one = elsewhere.length === 1;
  const events = elsewhere.map((s) => s.event).join(', ');
  return (
    `Note: the ${events} subscription${one ? '' : 's'} in ${webhookFile} send${one ? 's' : ''} deliveries to ${targets}, ` +
    `not to this listener (${here.publicUrl ?? here.localUrl}). Run \`npm run step:2\` again to point ${one ? 'it' : 'them'} here.`
  );
}

function isListener(target: string, listener: ListenerState): boolean {
  return target === listener.publicUrl || target === listener.localUrl;
}
