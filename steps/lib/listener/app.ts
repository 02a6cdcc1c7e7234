/**
 * The listener's express app: `POST /webhooks` (the tutorial's `app.post('/webhooks', ...)`), 405
 * for any other method there, 404 anywhere else, and a last-resort 500. No body parser anywhere:
 * the webhook route reads the raw bytes itself (see body.ts) and nothing else reads a body. Every
 * request's arrival is noted first, so its id and time are those of its headers. A request without
 * exactly one Host header, or with a `#` in its target, is a 400 before any route (RFC 9112 3.2).
 *
 * The server's handler (createListenerHandler) sends a plain `POST /webhooks` straight to the same
 * route function, before express: express gives every request and response its own prototypes,
 * and on objects set up that way the pipeline's many reads of them cost about as much again as
 * the pipeline itself (300 B deliveries: ~2,900/s through express, ~4,400-5,000/s without it, on
 * the bench; see the README's Benchmarks). Any other URL or method still goes through express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { WEBHOOK_PATH } from '../core/index.ts';
import { arrivalFor, followsClosingAnswer, noteRefusedUnread, trackRequest } from './arrival.ts';
import { declaredLength } from './body.ts';
import { refusal } from './decision.ts';
import { hostHeaderProblem } from './host-header.ts';
import { requestTargetProblem } from './request-target.ts';
import { receiveWebhook, type ReceiveContext } from './receive.ts';
import { recordAndAnswer } from './record-and-answer.ts';
import { sendTo } from './replies.ts';

/** The server's request handler: `POST /webhooks` exactly, straight to the webhook route; anything else, the express app. */
export function createListenerHandler(ctx: ReceiveContext): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createListenerApp(ctx);
  return (req, res) => {
    // Pipelined after a request whose answer closes the connection: that answer is the last sent,
    // so recording this one (a 200 acknowledged to no one) would be untrue. Node closes the socket.
    if (followsClosingAnswer(req.socket)) return;
    const problem = hostHeaderProblem(req) ?? requestTargetProblem(req.url);
    if (problem !== undefined) return refuseBadRequest(ctx, problem, req, res);
    if (req.method !== 'POST' || req.url !== WEBHOOK_PATH) return void app(req, res);
    trackRequest(req, res);
    receiveWebhook(ctx, arrivalFor(req), req, res).catch((error: unknown) => answerUnexpected(ctx, error, req, res));
  };
}

/** 400 for a request without exactly one Host header, or with a fragment in its target; its body is not read, so the connection closes. */
function refuseBadRequest(ctx: ReceiveContext, reason: string, req: IncomingMessage, res: ServerResponse): void {
  trackRequest(req, res);
  noteRefusedUnread(req);
  const decision = refusal('bad_request', { bodyBytes: declaredLength(req) ?? 0, reason, headers: { connection: 'close' } });
  recordAndAnswer(ctx, arrivalFor(req), decision, sendTo(res)).catch((error: unknown) => answerUnexpected(ctx, error, req, res));
}

/** The express app: POST /webhooks, 405 for other methods there, 404 elsewhere. */
function createListenerApp(ctx: ReceiveContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Paths are case-sensitive (RFC 3986): `/Webhooks` is not the route a sender was given, and the
  // shortcut in createListenerHandler matches `/webhooks` exactly; express alone would take any case.
  app.set('case sensitive routing', true);
  app.use((req, res, next) => {
    trackRequest(req, res);
    next();
  });
  // Reached by `/webhooks/` and `/webhooks?…` (express's routing allows both); `/webhooks` itself goes straight to receiveWebhook.
  app.post(WEBHOOK_PATH, (req, res) => receiveWebhook(ctx, arrivalFor(req), req, res));
  app.all(WEBHOOK_PATH, async (req, res) => {
    noteRefusedUnread(req);
    const decision = refusal('method_not_allowed', {
      bodyBytes: declaredLength(req) ?? 0,
      reason: `${req.method} is not allowed here: send webhooks with POST.`,
      headers: { allow: 'POST' },
    });
    await recordAndAnswer(ctx, arrivalFor(req), decision, sendTo(res));
  });
  app.use(async (req, res) => {
    noteRefusedUnread(req);
    await recordAndAnswer(ctx, arrivalFor(req), refusal('not_found', { bodyBytes: declaredLength(req) ?? 0 }), sendTo(res));
  });
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => answerUnexpected(ctx, error, req, res));
  return app;
}

/** A last-resort 500, recorded like every answer; the connection is dropped when even that fails. */
async function answerUnexpected(ctx: ReceiveContext, error: unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.log(`listener: unexpected error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (res.headersSent) return void res.destroy();
  await recordAndAnswer(ctx, arrivalFor(req), refusal('internal_error', { bodyBytes: 0 }), sendTo(res)).catch(() => res.destroy());
}
