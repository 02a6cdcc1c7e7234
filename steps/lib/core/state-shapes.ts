/**
 * What each state file must hold, checked when it is read, so a step never runs on a file that
 * only looks right (hand-edited, cut short, or from another program). One table per file lists
 * every field with its JSON type; the table's type is derived from the file's interface, so a
 * field added to an interface and not here (or typed differently) does not compile.
 *
 * @example
 * shapeProblem('user', { userkey: '42' }) // '"apiUrl" is missing'
 */
import type { ListenerState, StateContents, StateName, TokenState, UserState, WebhookState } from './state.ts';

/** A JSON type, with `?` when the field may be left out (JSON drops undefined). */
type Kind<V> = V extends string ? 'string' : V extends number ? 'number' : V extends boolean ? 'boolean' : never;
type OptionalKeys<T> = { [K in keyof T]-?: Record<string, never> extends Pick<T, K> ? K : never }[keyof T];
type Fields<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? `${Kind<Exclude<T[K], undefined>>}?` : K extends OptionalKeys<T> ? `${Kind<T[K]>}?` : Kind<T[K]>;
};

const TOKEN: Fields<TokenState> = { accessToken: 'string', expiresAt: 'number', identityUrl: 'string', clientId: 'string', scope: 'string?' };
// `event` is optional: webhook.json files from older versions lack it (it was always user_create).
const WEBHOOK: Fields<WebhookState> = {
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

const SHAPES: { readonly [N in StateName]: Fields<StateContents[N]> } = { token: TOKEN, webhook: WEBHOOK, listener: LISTENER, user: USER };

/** What is wrong with `value` as the contents of state file `name` ('"secret" is missing'), or undefined when nothing is. */
export function shapeProblem(name: StateName, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `it holds ${jsonType(value)}, not an object`;
  const record = value as Record<string, unknown>;
  for (const [field, kind] of Object.entries<string>(SHAPES[name])) {
    const optional = kind.endsWith('?');
    const type = optional ? kind.slice(0, -1) : kind;
    const present = record[field];
    if (present === undefined) {
      if (!optional) return `"${field}" is missing`;
    } else if (typeof present !== type) {
      return `"${field}" is ${jsonType(present)}, not a ${type}`;
    }
  }
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
