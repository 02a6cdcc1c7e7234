/**
 * The Bracken paths the workbench calls (the identity server's token endpoint and the Public API)
 * and the sandbox serves, built in one place. Path values are URL-encoded, so a username with a
 * space or a slash cannot change which route is called.
 *
 * @example
 * webhookMergePath(15435, 'user_create') // '/api/webhook/merge/domain/15435/event/user_create'
 */
import { type UserDeleteRoute, CONFIG_INVALID, ConfigError, parseRouteTemplate } from '../core/index.ts';

/** The identity server's token endpoint (IdentityServer's), relative to BRACKEN_IDENTITY_URL. */
export const TOKEN_PATH = '/connect/token';

/** Subscribe, update or deactivate a webhook (an upsert: one subscription per domain and event). */
export function webhookMergePath(domainkey: number, event: string): string {
  return `/api/webhook/merge/domain/${encodeURIComponent(domainkey)}/event/${encodeURIComponent(event)}`;
}

/** Create a user in a domain (the tutorial's newUser.py). */
export function userCreatePath(domainkey: number): string {
  return `/api/user/create/domain/${encodeURIComponent(domainkey)}`;
}

export interface UserRouteValues {
  readonly domainkey: number;
  readonly userkey: number;
  readonly username: string;
}

/**
 * The delete-user route with `{domainkey}`, `{userkey}` and `{username}` filled in. Bracken does
 * not document this route, so it comes from config (BRACKEN_USER_DELETE_ROUTE).
 */
export function userDeletePath(route: UserDeleteRoute, values: UserRouteValues): string {
  // loadConfig() has checked the template; a route built by hand is checked here too.
  const { literals, placeholders, unknown } = parseRouteTemplate(route.path);
  if (unknown !== undefined) {
    throw new ConfigError(CONFIG_INVALID, `BRACKEN_USER_DELETE_ROUTE has an unknown placeholder ${unknown}.`, {
      hint: 'Use only {domainkey}, {userkey} and {username} in BRACKEN_USER_DELETE_ROUTE (see .env.example).',
    });
  }
  return placeholders.reduce((path, name, i) => `${path}${encodeURIComponent(values[name])}${literals[i + 1] ?? ''}`, literals[0] ?? '');
}

/** What a 400 or 405 from the delete route probably means: the route is the workbench's guess. */
export function userDeleteRouteHint(route: UserDeleteRoute): string {
  return `The delete route (${route.method} ${route.path}) is the workbench's choice, not a documented Bracken route: look up the real one in Bracken's API Reference (Public User controller) and set BRACKEN_USER_DELETE_ROUTE in .env.`;
}
