/**
 * The sandbox's own read-only routes (not Bracken's): what it holds, for people and tests.
 * No token needed: the sandbox binds to loopback, and no secret is shown in full.
 *
 *   GET /                       what this server is and which routes it serves
 *   GET /sandbox/subscriptions  webhook subscriptions, secrets redacted
 *   GET /sandbox/users          users (passwords are never kept)
 *   GET /sandbox/deliveries     deliveries, newest first: status, attempts, last status/error
 */
import express, { type Router } from 'express';
import { TOKEN_PATH } from '../../steps/lib/bracken/index.ts';
import { redact } from '../../steps/lib/core/index.ts';
import { subscriptionView } from './api.ts';
import type { Store, StoredDelivery } from './store.ts';

export interface InspectOptions {
  readonly store: Store;
  readonly issuer: string;
  readonly deleteRoute: { readonly method: string; readonly path: string };
}

/** A delivery as `/sandbox/deliveries` shows it: the signature shortened. */
export function deliveryView(delivery: StoredDelivery): StoredDelivery {
  return { ...delivery, authorization: redact(delivery.authorization, 15) };
}

/** `GET /` and the read-only `GET /sandbox/*` routes. */
export function inspectRouter(options: InspectOptions): Router {
  const { store } = options;
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json({
      name: 'Bracken sandbox (bracken-webhook-workbench)',
      issuer: options.issuer,
      routes: [
        'GET /.well-known/openid-configuration',
        `POST ${TOKEN_PATH}`,
        'PUT /api/webhook/merge/domain/{domainkey}/event/{eventname}',
        'PUT /api/webhook/merge/event/{eventname}',
        'POST /api/user/create/domain/{domainkey}',
        'POST /api/user/create',
        `${options.deleteRoute.method} ${options.deleteRoute.path}`,
        'GET /sandbox/subscriptions',
        'GET /sandbox/users',
        'GET /sandbox/deliveries',
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
  router.get('/sandbox/subscriptions', (_req, res) => {
    res.json(store.data.subscriptions.map(subscriptionView));
  });
  router.get('/sandbox/users', (_req, res) => {
    res.json(store.data.users);
  });
  router.get('/sandbox/deliveries', (_req, res) => {
    res.json([...store.data.deliveries].reverse().map(deliveryView));
  });
  return router;
}
