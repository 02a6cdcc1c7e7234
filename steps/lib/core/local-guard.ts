/**
 * What keeps a local page local: the inspector (step 3) and the sandbox's delivery log both serve a
 * page on loopback that shows signatures and bodies and can send requests (replay, resend). A web
 * page in the same browser can still reach 127.0.0.1, so:
 * - every request must name this server in its `Host` header (a DNS-rebinding page sends its own
 *   host name): `checkHost`;
 * - an action must come from the server's own page: same origin, with a custom header a cross-site
 *   form cannot add and a cross-site `fetch` cannot send without a CORS preflight these servers
 *   never approve: `checkSameOrigin`;
 * - a server that may be bound beyond loopback (the sandbox, SANDBOX_HOST) also refuses peers that
 *   are not on this machine: `checkLoopbackPeer`.
 *
 * @example
 * const allowed = allowedHosts('127.0.0.1', 4040);
 * const refusal = checkHost(req, allowed, 'this inspector') ?? checkSameOrigin(req, allowed, REPLAY_RULE);
 * if (refusal) res.writeHead(refusal.status, SECURITY_HEADERS).end(JSON.stringify({ error: refusal.error, code: refusal.code }));
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './net.ts';

/** Allows the page's own script, style and API; no inline code, frames, forms or other hosts. */
export const LOCAL_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every answer: the page's CSP, no sniffing, no framing, no caching, no referrer. */
export const SECURITY_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  'content-security-policy': LOCAL_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
});

/** A refusal: HTTP status, stable code and a sentence for the `{error, code}` body. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly error: string;
}

/** Which action a same-origin check guards, and the header its page sends with it. */
export interface SameOriginRule {
  /** Starts the refusal sentence: `Replay`, `Resend`. */
  readonly action: string;
  /** Lower-case header name the page sends, e.g. `x-workbench-inspector`. */
  readonly header: string;
  /** The value it must have, e.g. `replay`. */
  readonly value: string;
  /** Which page sends it, for the sentence: `the inspector page`. */
  readonly page: string;
  /** The refusal's code when the header is missing, e.g. `missing_inspector_header`. */
  readonly missingHeaderCode: string;
}

/** The `Host` header values (lower-case) that name this server when it listens on `host:port`. */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', host.includes(':') ? `[${host}]` : host]);
  const withPort = Array.from(names, (name) => `${name}:${port}`);
  // On http's own port a browser leaves the port out of Host and Origin (http://localhost/).
  return new Set(port === 80 ? [...withPort, ...names] : withPort);
}

/** Refuses requests whose `Host` is not this server (`serverName` says which, e.g. `this inspector`): the DNS-rebinding check. */
export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>, serverName = 'this server'): Refusal | undefined {
  const host = req.headers.host?.toLowerCase();
  if (host !== undefined && allowed.has(host)) return undefined;
  return {
    status: 403,
    code: 'bad_host',
    error: `Host ${JSON.stringify(req.headers.host ?? '')} is not ${serverName}; open it at http://127.0.0.1 or http://localhost with its port.`,
  };
}

/** Refuses an action that did not come from the server's own page. */
export function checkSameOrigin(req: IncomingMessage, allowed: ReadonlySet<string>, rule: SameOriginRule): Refusal | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && !Array.from(allowed).some((host) => origin.toLowerCase() === `http://${host}`)) {
    return { status: 403, code: 'cross_site', error: `${rule.action} refused: requests from ${origin} are not allowed.` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    return { status: 403, code: 'cross_site', error: `${rule.action} refused: the request came from a ${site} page.` };
  }
  if (req.headers[rule.header] !== rule.value) {
    return {
      status: 403,
      code: rule.missingHeaderCode,
      error: `${rule.action} refused: send the ${rule.header}: ${rule.value} header (${rule.page} does).`,
    };
  }
  return undefined;
}

/** Refuses a peer that is not on this machine (for a server that may be bound to a wider address). */
export function checkLoopbackPeer(req: IncomingMessage): Refusal | undefined {
  const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/i, '');
  if (isLoopbackHost(address)) return undefined;
  return { status: 403, code: 'not_loopback', error: `This page is served to this machine only, not to ${address || 'an unknown address'}.` };
}
