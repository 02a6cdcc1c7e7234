/**
 * The delete-user route, read in one place. Bracken does not document it, so the workbench names
 * it in config (BRACKEN_USER_DELETE_ROUTE) with placeholders: loadConfig checks the template,
 * step 6 fills it in (bracken/routes.ts) and the sandbox serves it (scripts/sandbox/route-template.ts).
 * It lives in core because loadConfig checks it, and core depends on no other folder.
 *
 * @example
 * parseRouteTemplate('/api/user/{domainkey}/{username}')
 * // { literals: ['/api/user/', '/', ''], placeholders: ['domainkey', 'username'], unknown: undefined, namesUser: true }
 */

/** The placeholders a delete route may use; it must name the user with one of the last two. */
export const USER_ROUTE_PLACEHOLDERS = ['domainkey', 'userkey', 'username'] as const;
export type UserRoutePlaceholder = (typeof USER_ROUTE_PLACEHOLDERS)[number];

export interface UserDeleteRoute {
  readonly method: string;
  /** A path with `{domainkey}`, `{userkey}` and/or `{username}` placeholders. */
  readonly path: string;
}

/** A route path split at its placeholders. */
export interface RouteTemplate {
  /** The text around the placeholders, in order: always one more than there are placeholders. */
  readonly literals: readonly string[];
  readonly placeholders: readonly UserRoutePlaceholder[];
  /** The first `{name}` that is not a known placeholder, or a lone `{` or `}`, as written; undefined when there is none. */
  readonly unknown: string | undefined;
  /** True when the path names the user with `{userkey}` or `{username}`, as a delete route must. */
  readonly namesUser: boolean;
}

/** Splits `path` at its `{placeholders}`. Never throws: each caller words its own error from `unknown` and `namesUser`. */
export function parseRouteTemplate(path: string): RouteTemplate {
  const literals: string[] = [];
  const placeholders: UserRoutePlaceholder[] = [];
  let unknown: string | undefined;
  let literal = '';
  let rest = 0;
  const addText = (text: string) => {
    // A brace outside a placeholder is a typo (and not valid in a URL path): reported, not sent.
    unknown ??= /[{}]/.exec(text)?.[0];
    literal += text;
  };
  for (const found of path.matchAll(/\{([^{}]*)\}/g)) {
    addText(path.slice(rest, found.index));
    rest = found.index + found[0].length;
    const name = USER_ROUTE_PLACEHOLDERS.find((known) => known === found[1]);
    if (name === undefined) {
      unknown ??= found[0];
      literal += found[0];
      continue;
    }
    literals.push(literal);
    placeholders.push(name);
    literal = '';
  }
  addText(path.slice(rest));
  literals.push(literal);
  return { literals, placeholders, unknown, namesUser: placeholders.includes('userkey') || placeholders.includes('username') };
}
