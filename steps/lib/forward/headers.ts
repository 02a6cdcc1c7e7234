/**
 * Which of a delivery's headers go to the user's app with it. An allow-list, not "everything but
 * the hop-by-hop ones": the app must verify and parse the delivery as it will in production, and
 * learn nothing of the listener's own connection.
 *
 * Forwarded, as received (name, case, order and repeats):
 * - `Content-Type`: how to read the body (express.json() looks at it).
 * - The headers the listener's scheme verifies (`Verifier.signedHeaders`): Bracken's
 *   `Authorization`; Standard Webhooks' `webhook-id`, `webhook-timestamp` and `webhook-signature`;
 *   GitHub's `X-Hub-Signature-256`... so the app checks the sender's own signature.
 * - `User-Agent`: who sent it, as the app will see in production.
 *
 * Not forwarded: hop-by-hop headers (`Connection` and those it names, `Keep-Alive`,
 * `Transfer-Encoding`, `TE`, `Trailer`, `Upgrade`, `Proxy-*`: RFC 9110 §7.6.1; they describe one
 * connection, the sender's to the listener), `Host` and `Content-Length` (the forward's own, set by
 * the HTTP client), and whatever a tunnel or proxy added on the way (`X-Forwarded-*`, ngrok's),
 * which describe the listener's path and not the sender's request.
 *
 * @example
 * forwardedHeaders([['Host', 'abc.ngrok.app'], ['Authorization', 'HMACSHA256 …'], ['Content-Type', 'application/json']], ['authorization'])
 * // [['Authorization', 'HMACSHA256 …'], ['Content-Type', 'application/json']]
 */

/** Forwarded whatever the scheme. */
const ALWAYS_FORWARDED: readonly string[] = ['content-type', 'user-agent'];

/** The lower-case names forwarded for a scheme that verifies `signedHeaders`. */
export function forwardedHeaderNames(signedHeaders: readonly string[]): string[] {
  return [...new Set([...ALWAYS_FORWARDED, ...signedHeaders.map((name) => name.toLowerCase())])];
}

/** The pairs of `received` to forward, in their order, for a scheme that verifies `signedHeaders`. */
export function forwardedHeaders(received: readonly (readonly [string, string])[], signedHeaders: readonly string[]): [string, string][] {
  const names = new Set(forwardedHeaderNames(signedHeaders));
  return received.filter(([name]) => names.has(name.toLowerCase())).map(([name, value]) => [name, value]);
}
