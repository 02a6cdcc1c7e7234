/**
 * RFC 9112 §3.2: a request target is a path and an optional query, never a fragment: a client keeps
 * `#…` to itself. Node's parser lets one through, and express then routes on the path before it, so
 * `POST /webhooks#x` was taken as a delivery while `/webhooks;x` (a `;` is part of a path) is a 404.
 * A target with a `#` is not valid HTTP: it gets the 400 any request Node cannot read gets.
 *
 * @example
 * requestTargetProblem('/webhooks#x') // 'A request target cannot hold a fragment (a "#" and what follows it): RFC 9112 3.2.'
 */

/** Why `url` is not a valid request target, or undefined when it is one as far as the listener cares. */
export function requestTargetProblem(url: string | undefined): string | undefined {
  return url?.includes('#') === true ? 'A request target cannot hold a fragment (a "#" and what follows it): RFC 9112 3.2.' : undefined;
}
