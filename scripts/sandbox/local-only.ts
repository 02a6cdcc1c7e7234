/**
 * The delivery log's guards, as express middleware over core's local-page guard (the inspector's
 * own, steps/lib/core/local-guard.ts): the log shows bodies and can resend signed requests, so it
 * answers only this machine (even when SANDBOX_HOST binds wider), only requests that name the
 * sandbox in their `Host` (DNS rebinding), and takes actions only from its own page.
 *
 * @example
 * router.use('/sandbox', localOnly(allowed));
 * router.post('/sandbox/deliveries/:id/resend', sameOrigin(allowed, 'resend'), handler);
 */
import type { Request, RequestHandler, Response } from 'express';
import { checkHost, checkLoopbackPeer, checkSameOrigin, SECURITY_HEADERS, type Refusal, type SameOriginRule } from '../../steps/lib/core/index.ts';

/** The header the page sends with an action; its value names the action (`resend`, `cancel`). */
export const ACTION_HEADER = 'x-workbench-sandbox';

/** Answers `{error, code}` with the security headers. */
export function sendRefusal(res: Response, refusal: Refusal): void {
  res.status(refusal.status).json({ error: refusal.error, code: refusal.code });
}

/** Security headers on every answer under the mount path; refuses other machines and foreign Host headers. */
export function localOnly(allowed: ReadonlySet<string>, log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    res.set(SECURITY_HEADERS as Record<string, string>);
    const refusal = checkLoopbackPeer(req) ?? checkHost(req, allowed, 'this sandbox');
    if (refusal === undefined) return next();
    refuse(req, res, refusal, log);
  };
}

/** Refuses an action (`resend`, `cancel`) that did not come from the delivery log's own page (or the CLI, which sends the header). */
export function sameOrigin(allowed: ReadonlySet<string>, action: 'resend' | 'cancel', log: (line: string) => void): RequestHandler {
  const rule: SameOriginRule = {
    action: action === 'resend' ? 'Resend' : 'Cancel',
    header: ACTION_HEADER,
    value: action,
    page: 'the delivery log page',
    missingHeaderCode: 'missing_sandbox_header',
  };
  return (req, res, next) => {
    const refusal = checkSameOrigin(req, allowed, rule);
    if (refusal === undefined) return next();
    refuse(req, res, refusal, log);
  };
}

function refuse(req: Request, res: Response, refusal: Refusal, log: (line: string) => void): void {
  log(`delivery log refused ${req.method} ${req.originalUrl} (${refusal.code}): ${refusal.error}`);
  req.resume();
  sendRefusal(res, refusal);
}
