/**
 * Bracken does not document its delete-user route, so the workbench makes it configurable
 * (BRACKEN_USER_DELETE_ROUTE, default `DELETE /api/user/delete/domain/{domainkey}/user/{userkey}`)
 * and the sandbox serves whichever route the config names. This turns such a template into a
 * matcher. (Express 5's own path syntax gives `{...}` another meaning, hence a small matcher here.)
 *
 * @example
 * const route = compileRoute({ method: 'DELETE', path: '/api/user/{username}' });
 * route.match('DELETE', '/api/user/Test%2DUser') // { username: 'Test-User' }
 */

import { USER_ROUTE_PLACEHOLDERS as ROUTE_PLACEHOLDERS } from '../../steps/lib/core/index.ts';

export { ROUTE_PLACEHOLDERS };
export type RoutePlaceholder = (typeof ROUTE_PLACEHOLDERS)[number];

export interface RouteMatcher {
  readonly method: string;
  readonly path: string;
  /** The decoded placeholder values when `method` and `pathname` fit the template, else undefined. */
  match(method: string, pathname: string): Partial<Record<RoutePlaceholder, string>> | undefined;
}

/** A matcher for `route`; TypeError ERR_INVALID_ARG_VALUE for an unknown placeholder or no user placeholder. */
export function compileRoute(route: { readonly method: string; readonly path: string }): RouteMatcher {
  const names: RoutePlaceholder[] = [];
  let pattern = '';
  let rest = route.path;
  for (let found = /\{([^{}]*)\}/.exec(rest); found !== null; found = /\{([^{}]*)\}/.exec(rest)) {
    const name = found[1] as RoutePlaceholder;
    if (!ROUTE_PLACEHOLDERS.includes(name)) {
      throw Object.assign(new TypeError(`Unknown placeholder {${found[1]}} in the delete route "${route.path}": use ${ROUTE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    pattern += escapeRegExp(rest.slice(0, found.index)) + '([^/]+)';
    names.push(name);
    rest = rest.slice(found.index + found[0].length);
  }
  pattern += escapeRegExp(rest);
  if (!names.includes('userkey') && !names.includes('username')) {
    throw Object.assign(new TypeError(`The delete route "${route.path}" must name the user with {userkey} or {username}.`), { code: 'ERR_INVALID_ARG_VALUE' });
  }
  const regex = new RegExp(`^${pattern}$`);
  const method = route.method.toUpperCase();

  return {
    method,
    path: route.path,
    match(requestMethod, pathname) {
      if (requestMethod.toUpperCase() !== method) return undefined;
      const found = regex.exec(pathname);
      if (found === null) return undefined;
      const values: Partial<Record<RoutePlaceholder, string>> = {};
      try {
        names.forEach((name, i) => (values[name] = decodeURIComponent(found[i + 1] ?? '')));
      } catch {
        return undefined; // malformed percent-encoding: not this route
      }
      return values;
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
