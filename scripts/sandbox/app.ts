/**
 * The sandbox's express app: identity routes, API routes, the read-only `/sandbox/` routes, the
 * learning routes that fire the module and course events,
 * a one-line log per request, JSON 404s, and problem+json for every error (the token endpoint
 * answers its own, RFC 6749 §5.2 JSON, before any reaches here).
 */
import { STATUS_CODES } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { STATE_WRITE_FAILED, StateError } from '../../steps/lib/core/index.ts';
import { apiRouter, type ApiOptions } from './api.ts';
import { identityRouter, type IdentityOptions } from './identity.ts';
import { inspectRouter, type InspectOptions } from './inspect-routes.ts';
import { learningRouter } from './learning-routes.ts';
import { ProblemError, sendProblem } from './problem.ts';

export interface AppOptions extends IdentityOptions, ApiOptions, Pick<InspectOptions, 'live' | 'allowedHosts'> {
  /** Days before a certificate expires that its Expiring event fires (the learning routes). */
  readonly expiringDays: number;
}

/** The whole sandbox as one express app (the caller owns the HTTP server). */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => options.log(`${req.method} ${req.path} ${res.statusCode} (${Math.round(performance.now() - started)} ms)`));
    next();
  });

  app.use(identityRouter(options));
  app.use(apiRouter(options));
  app.use(inspectRouter(options));
  app.use(learningRouter(options));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new ProblemError(404, 'Not Found', { detail: `No route for ${req.method} ${req.path}. GET / lists the routes this sandbox serves.` }));
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ProblemError) return sendProblem(res, error);
    // body-parser errors carry the status to answer with (413 too large, 415 unsupported encoding,
    // 400 unreadable...); the title is that status's reason phrase, so the two always agree.
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendProblem(res, new ProblemError(status, STATUS_CODES[status] ?? 'Client Error', { detail: (error as Error).message }));
    }
    if (error instanceof StateError && error.code === STATE_WRITE_FAILED) {
      // The store took the change back (store.transact): say so, so the client knows a retry is safe.
      const detail = `${error.message} Nothing was changed: send the request again once the store can be written.`;
      options.log(`${req.method} ${req.path}: ${detail} [${error.code}]`);
      return sendProblem(res, new ProblemError(500, 'Internal Server Error', { detail }));
    }
    options.log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendProblem(res, new ProblemError(500, 'Internal Server Error', { detail: error instanceof Error ? error.message : String(error) }));
  });
  return app;
}
