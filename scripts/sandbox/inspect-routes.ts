/**
 * The sandbox's own routes (not Bracken's): what it holds and what it sent, for people and tests.
 * No token needed; everything under `/sandbox` answers this machine only, checks the `Host` header,
 * and never shows a secret or a signature in full (local-only.ts).
 *
 *   GET  /                                   what this server is and which routes it serves
 *   GET  /sandbox/                           the delivery log page (live)
 *   GET  /sandbox/events                     its live feed (Server-Sent Events)
 *   GET  /sandbox/subscriptions              webhook subscriptions, secrets redacted
 *   GET  /sandbox/users                      users (passwords are never kept)
 *   GET  /sandbox/deliveries[?limit=N]       deliveries (the newest N), newest first, with their attempts and answers;
 *                                            X-Total-Count says how many there are in all
 *   GET  /sandbox/deliveries/{id}            one of them
 *   POST /sandbox/deliveries/{id}/resend     a new attempt of the same bytes, now (X-Workbench-Sandbox: resend)
 *   POST /sandbox/deliveries/{id}/cancel     no more attempts of a pending one (X-Workbench-Sandbox: cancel)
 */
import express, { type Request, type Response, type Router } from 'express';
import { TOKEN_PATH } from '../../steps/lib/bracken/index.ts';
import { subscriptionView } from './api.ts';
import type { DeliveryEngine } from './deliveries.ts';
import { deliveryView } from './delivery-view.ts';
import { DeliveryActionError } from './errors.ts';
import type { LiveFeed } from './live.ts';
import { localOnly, sameOrigin } from './local-only.ts';
import { PAGE_CSS, PAGE_HTML } from './page/page.ts';
import { PAGE_SCRIPT } from './page/script.ts';
import type { Store } from './store.ts';

export interface InspectOptions {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly live: LiveFeed;
  readonly issuer: string;
  readonly deleteRoute: { readonly method: string; readonly path: string };
  /** The `Host` values that name the sandbox (core's allowedHosts for its address). */
  readonly allowedHosts: ReadonlySet<string>;
  readonly log: (line: string) => void;
}

/** `GET /` and the `/sandbox/*` routes. */
export function inspectRouter(options: InspectOptions): Router {
  const { store, engine, live, log } = options;
  const router = express.Router();
  const view = (id: string) => {
    const delivery = store.data.deliveries.find((d) => d.id === id);
    return delivery === undefined ? undefined : deliveryView(delivery, engine.inFlight(id));
  };

  router.get('/', (_req, res) => {
    res.json({
      name: 'Bracken sandbox (bracken-webhook-workbench)',
      issuer: options.issuer,
      deliveryLog: `${options.issuer}/sandbox/`,
      routes: [
        'GET /.well-known/openid-configuration',
        `POST ${TOKEN_PATH}`,
        'PUT /api/webhook/merge/domain/{domainkey}/event/{eventname}',
        'PUT /api/webhook/merge/event/{eventname}',
        'POST /api/user/create/domain/{domainkey}',
        'POST /api/user/create',
        `${options.deleteRoute.method} ${options.deleteRoute.path}`,
        'GET /sandbox/ (the delivery log page)',
        'GET /sandbox/events',
        'GET /sandbox/subscriptions',
        'GET /sandbox/users',
        'GET /sandbox/deliveries',
        'GET /sandbox/deliveries/{id}',
        'POST /sandbox/deliveries/{id}/resend',
        'POST /sandbox/deliveries/{id}/cancel',
        // The learning routes (learning-routes.ts): the sandbox's own way to fire the module and course events.
        'POST /sandbox/modules',
        'POST /sandbox/courses',
        'POST /sandbox/modules/{modulekey}/start',
        'POST /sandbox/modules/{modulekey}/complete',
        'POST /sandbox/courses/{coursekey}/complete',
        'POST /sandbox/certificates/{certificatekey}/clock',
        'GET /sandbox/modules',
        'GET /sandbox/courses',
        'GET /sandbox/certificates',
      ],
    });
  });

  router.get('/favicon.ico', (_req, res) => void res.status(204).end()); // the page has none; spare the browser a 404
  router.use('/sandbox', localOnly(options.allowedHosts, log));
  const asset = (type: string, text: string) => (_req: Request, res: Response) => void res.type(type).send(text);
  router.get('/sandbox/', asset('text/html; charset=utf-8', PAGE_HTML));
  router.get('/sandbox/page.js', asset('text/javascript; charset=utf-8', PAGE_SCRIPT));
  router.get('/sandbox/page.css', asset('text/css; charset=utf-8', PAGE_CSS));
  router.get('/sandbox/events', (req, res) => live.streams.open(req, res));

  router.get('/sandbox/subscriptions', (_req, res) => {
    res.json(store.data.subscriptions.map(subscriptionView));
  });
  router.get('/sandbox/users', (_req, res) => {
    res.json(store.data.users);
  });
  // With thousands of pending deliveries the whole list is tens of MB and takes seconds to build:
  // the page and the deliveries command ask for the newest few (?limit=N) and show the total.
  router.get('/sandbox/deliveries', (req, res) => {
    // The app parses no query strings (app.ts): this is the one parameter the sandbox's own routes take.
    const asked = new URLSearchParams(req.originalUrl.split('?')[1] ?? '').getAll('limit');
    const limit = asked.length === 0 ? undefined : asked.length === 1 ? wholeNumber(asked[0]) : null;
    if (limit === null) {
      const error = `limit=${JSON.stringify(asked.join(','))} is not a number of deliveries (a whole number, 1 or more).`;
      return void res.status(400).json({ error, code: 'bad_limit' });
    }
    const all = store.data.deliveries;
    const newest = all.slice(limit === undefined ? 0 : Math.max(0, all.length - limit)).reverse();
    res.setHeader('x-total-count', String(all.length));
    res.json(newest.map((d) => deliveryView(d, engine.inFlight(d.id))));
  });
  router.get('/sandbox/deliveries/:id', (req, res) => {
    const found = view(String(req.params.id));
    if (found === undefined) return void res.status(404).json({ error: `No delivery with id ${JSON.stringify(req.params.id)}.`, code: 'unknown_delivery' });
    res.json(found);
  });

  for (const action of ['resend', 'cancel'] as const) {
    router.post(`/sandbox/deliveries/:id/${action}`, sameOrigin(options.allowedHosts, action, log), async (req, res) => {
      req.resume(); // the request's own body means nothing; drain it
      const id = String(req.params.id);
      try {
        await (action === 'resend' ? engine.resend(id) : engine.cancel(id));
      } catch (error) {
        if (!(error instanceof DeliveryActionError)) throw error; // a failed save: the app answers 500, nothing changed
        return void res.status(error.status).json({ error: error.message, code: error.code });
      }
      res.json(view(id));
    });
  }
  return router;
}

/** A query value as a whole number of 1 or more; null when it is anything else (a word, 0, a fraction). */
function wholeNumber(value: string | undefined): number | null {
  return typeof value === 'string' && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;
}
