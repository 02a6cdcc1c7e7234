/**
 * Bracken does not document its delete-user route, so the workbench makes it configurable
 * (BRACKEN_USER_DELETE_ROUTE, default `DELETE /api/user/delete/domain/{domainkey}/user/{userkey}`)
 * and the sandbox serves whichever route the config names. This turns such a template (split by
 * core's parseRouteTemplate) into a matcher. (Express 5's own path syntax gives `{...}` another
 * meaning, hence a small matcher here.)
 *
 * @example
 * const route = compileRoute({ method: 'DELETE', path: '/api/user/{username}' });
 * route.match('DELETE', '/api/user/Test%2DUser') // { username: 'Test-User' }
 */
import { USER_ROUTE_PLACEHOLDERS, type UserDeleteRoute, type UserRoutePlaceholder, invalidArgument, parseRouteTemplate } from '../../steps/lib/core/index.ts';

export interface RouteMatcher {
  readonly method: string;
  readonly path: string;
  /** The decoded placeholder values when `method` and `pathname` fit the template, else undefined. */
  match(method: string, pathname: string): Partial<Record<UserRoutePlaceholder, string>> | undefined;
}

/** A matcher for `route`; TypeError ERR_INVALID_ARG_VALUE for an unknown placeholder or no user placeholder. */
export function compileRoute(route: UserDeleteRoute): RouteMatcher {
  const { literals, placeholders, unknown, namesUser } = parseRouteTemplate(route.path);
  if (unknown !== undefined) {
    throw invalidArgument(
      `Unknown placeholder ${unknown} in the delete route "${route.path}": use ${USER_ROUTE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
    );
  }
  if (!namesUser) throw invalidArgument(`The delete route "${route.path}" must name the user with {userkey} or {username}.`);
  const regex = new RegExp(`^${literals.map(escapeRegExp).join('([^/]+)')}$`);
  const method = route.method.toUpperCase();

  return {
    method,
    path: route.path,
    match(requestMethod, pathname) {
      if (requestMethod.toUpperCase() !== method) return undefined;
      const found = regex.exec(pathname);
      if (found === null) return undefined;
      const values: Partial<Record<UserRoutePlaceholder, string>> = {};
      try {
        for (const [i, name] of placeholders.entries()) values[name] = decodeURIComponent(found[i + 1] ?? '');
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
