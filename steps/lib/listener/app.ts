/**
 * The listener's express app: `POST /webhooks` (the tutorial's `app.post('/webhooks', ...)`), 405
 * for any other method there, 404 anywhere else, and a last-resort 500. No body parser anywhere:
 * the webhook route reads the raw bytes itself (see body.ts) and nothing else reads a body. Every
 * request's arrival is noted first, so its id and time are those of its headers.
 */
import express, { type Express } from 'express';
import { WEBHOOK_PATH } from '../core/index.ts';
import { arrivalFor, trackRequest } from './arrival.ts';
import { declaredLength } from './body.ts';
import { refusal } from './decision.ts';
import { receiveWebhook, type ReceiveContext } from './receive.ts';
import { recordAndAnswer } from './record-and-answer.ts';
import { sendTo } from './replies.ts';

/** The express app: POST /webhooks, 405 for other methods there, 404 elsewhere. */
export function createListenerApp(ctx: ReceiveContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    trackRequest(req, res);
    next();
  });
  app.post(WEBHOOK_PATH, (req, res) => receiveWebhook(ctx, arrivalFor(req), req, res));
  app.all(WEBHOOK_PATH, async (req, res) => {
    const decision = refusal('method_not_allowed', {
      bodyBytes: declaredLength(req) ?? 0,
      reason: `${req.method} is not allowed here: send webhooks with POST.`,
      headers: { allow: 'POST' },
    });
    await recordAndAnswer(ctx, arrivalFor(req), decision, sendTo(res));
  });
  app.use(async (req, res) => {
    await recordAndAnswer(ctx, arrivalFor(req), refusal('not_found', { bodyBytes: declaredLength(req) ?? 0 }), sendTo(res));
  });
  app.use(async (error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    ctx.log(`listener: unexpected error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (res.headersSent) return void res.destroy();
    await recordAndAnswer(ctx, arrivalFor(req), refusal('internal_error', { bodyBytes: 0 }), sendTo(res)).catch(() => res.destroy());
  });
  return app;
}
