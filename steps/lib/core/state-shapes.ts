/**
 * What each state file must hold, checked when it is read, so a step never runs on a file that
 * only looks right (hand-edited, cut short, or from another program). One table per file lists
 * every field with its JSON type; the table's type is derived from the file's interface, so a
 * field added to an interface and not here (or typed differently) does not compile.
 *
 * @example
 * shapeProblem('user', { userkey: '42' }) // '"apiUrl" is missing'
 * upgradeWebhook(legacyFile) // { apiUrl, domainkey, secret, subscriptions: [{ event: 'user_create', target, active, subscribedAt }] }
 */
import { WEBHOOK_EVENT } from './config.ts';
import { isObject } from './is-object.ts';
import type { LegacyWebhookState, ListenerState, StateName, TokenState, UserState, WebhookState, WebhookSubscription } from './state.ts';

/** A JSON type, with `?` when the field may be left out (JSON drops undefined). */
type Kind<V> = V extends string ? 'string' : V extends number ? 'number' : V extends boolean ? 'boolean' : never;
type OptionalKeys<T> = { [K in keyof T]-?: Record<string, never> extends Pick<T, K> ? K : never }[keyof T];
type Fields<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? `${Kind<Exclude<T[K], undefined>>}?` : K extends OptionalKeys<T> ? `${Kind<T[K]>}?` : Kind<T[K]>;
};

const TOKEN: Fields<TokenState> = { accessToken: 'string', expiresAt: 'number', identityUrl: 'string', clientId: 'string', scope: 'string?' };
// The list of subscriptions is checked entry by entry, with SUBSCRIPTION.
const WEBHOOK: Fields<Omit<WebhookState, 'subscriptions'>> = { apiUrl: 'string', domainkey: 'number', secret: 'string' };
const SUBSCRIPTION: Fields<WebhookSubscription> = { event: 'string', target: 'string', active: 'boolean', subscribedAt: 'string' };
// webhook.json before WEBHOOK_EVENTS: one subscription at the top level. `event` is optional: the
// oldest files lack it (it was always user_create).
const LEGACY_WEBHOOK: Fields<LegacyWebhookState> = {
  apiUrl: 'string',
  domainkey: 'number',
  event: 'string?',
  target: 'string',
  secret: 'string',
  active: 'boolean',
  subscribedAt: 'string',
};
const LISTENER: Fields<ListenerState> = { localUrl: 'string', publicUrl: 'string?', inspectorUrl: 'string?', pid: 'number', startedAt: 'string' };
const USER: Fields<UserState> = { apiUrl: 'string', domainkey: 'number', userkey: 'number', username: 'string', createdAt: 'string' };

const FLAT_SHAPES: { readonly [N in Exclude<StateName, 'webhook'>]: Readonly<Record<string, string>> } = { token: TOKEN, listener: LISTENER, user: USER };

/** What is wrong with `value` as the contents of state file `name` ('"secret" is missing'), or undefined when nothing is. */
export function shapeProblem(name: StateName, value: unknown): string | undefined {
  if (!isObject(value)) return `it holds ${jsonType(value)}, not an object`;
  const record = value;
  if (name !== 'webhook') return fieldProblem(FLAT_SHAPES[name], record, '');
  if (!('subscriptions' in record)) return fieldProblem(LEGACY_WEBHOOK, record, '');
  const list = record.subscriptions;
  if (!Array.isArray(list)) return `"subscriptions" is ${jsonType(list)}, not an array`;
  for (const [i, entry] of list.entries()) {
    const where = `subscriptions[${i}]`;
    if (!isObject(entry)) return `"${where}" is ${jsonType(entry)}, not an object`;
    const problem = fieldProblem(SUBSCRIPTION, entry, `${where}.`);
    if (problem !== undefined) return problem;
  }
  return fieldProblem(WEBHOOK, record, '');
}

/** A checked webhook.json in the current shape: a legacy one becomes a list of its one subscription. */
export function upgradeWebhook(value: unknown): WebhookState {
  const record = value as WebhookState | LegacyWebhookState;
  if ('subscriptions' in record) return record;
  const { apiUrl, domainkey, secret, event = WEBHOOK_EVENT, target, active, subscribedAt } = record;
  return { apiUrl, domainkey, secret, subscriptions: [{ event, target, active, subscribedAt }] };
}

function fieldProblem(table: Readonly<Record<string, string>>, record: Record<string, unknown>, prefix: string): string | undefined {
  for (const [field, kind] of Object.entries(table)) {
    const optional = kind.endsWith('?');
    const type = optional ? kind.slice(0, -1) : kind;
    const present = record[field];
    if (present === undefined) {
      if (!optional) return `"${prefix}${field}" is missing`;
    } else if (typeof present !== type) {
      return `"${prefix}${field}" is ${jsonType(present)}, not a ${type}`;
    }
  }
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
