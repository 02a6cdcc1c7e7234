/**
 * RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host header, and a server answers 400 to
 * one with none or several. Node makes the first check itself, but answers a bare 400 before any
 * handler sees the request, so nothing recorded it; the listener turns Node's check off
 * (`requireHostHeader: false`) and makes both here, so the refusal is journaled and answered as JSON.
 *
 * @example
 * hostHeaderProblem(req) // 'An HTTP/1.1 request must have a Host header (RFC 9112 3.2).'
 */
import type { IncomingMessage } from 'node:http';

/** Why `req` breaks the one-Host rule, or undefined when it does not (HTTP/1.0 needs none). */
export function hostHeaderProblem(req: IncomingMessage): string | undefined {
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1) return undefined;
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts += 1;
  if (hosts === 1) return undefined;
  return hosts === 0
    ? 'An HTTP/1.1 request must have a Host header (RFC 9112 3.2).'
    : `An HTTP/1.1 request must have one Host header, not ${hosts} (RFC 9112 3.2).`;
}
