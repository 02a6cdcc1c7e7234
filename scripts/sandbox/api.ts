/**
 * The API half of the sandbox: the routes of https://api.brackenlearning.com the tutorial uses
 * (shared/bracken-api.md §1.2–1.4). Every route needs a bearer token from `/connect/token`, and a
 * domainkey in the path must be the token's own (403 otherwise).
 *
 * Creating a user fires `User_Create`, deleting one fires `User_Delete`: each change is saved,
 * deliveries included, before the answer goes out, and only then are the deliveries sent. A change
 * whose save fails (a full disk) is taken back before the 500 goes out: the client may simply retry.
 * A merge that deactivates or re-points a subscription cancels its pending deliveries, in the same save.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { redact } from '../../steps/lib/core/index.ts';
import { claimsOf, requireBearer } from './bearer.ts';
import type { DeliveryEngine } from './deliveries.ts';
import { canonicalEventName, EVENT_NAMES } from './events.ts';
import { fireEvents } from './fire.ts';
import { ProblemError, validationProblem } from './problem.ts';
import type { RouteMatcher } from './route-template.ts';
import type { Store, StoredSubscription, StoredUser } from './store.ts';
import type { TokenService } from './tokens.ts';
import { sameUsername } from './username.ts';
import { jsonBody, newUserInput, pathKey, subscriptionInput } from './validate.ts';

export interface ApiOptions {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly tokens: TokenService;
  readonly deleteRoute: RouteMatcher;
  readonly log: (line: string) => void;
  /** Told after users or subscriptions changed (the delivery log's live page). */
  readonly onChange?: (what: 'users' | 'subscriptions') => void;
}

/** A subscription as the API and `/sandbox/subscriptions` show it: the secret redacted. */
export function subscriptionView(sub: StoredSubscription): Omit<StoredSubscription, 'secret'> & { secret: string } {
  return { ...sub, secret: redact(sub.secret) };
}

/** Webhook merge, user create and the configured user-delete route, all behind a bearer token. */
export function apiRouter(options: ApiOptions): Router {
  const { store, engine, log } = options;
  const changed = options.onChange ?? (() => undefined);
  const router = express.Router();
  const bearer = requireBearer(options.tokens);
  const body = express.raw({ type: () => true, limit: '100kb' });

  /** The domain the request acts on: the path's, which must be the token's, or the token's. */
  const domainOf = (req: Request, res: Response, fromPath: string | undefined): number => {
    const own = claimsOf(res).domainkey;
    if (fromPath === undefined) return own;
    const domainkey = pathKey('domainkey', fromPath);
    if (domainkey !== own) {
      throw new ProblemError(403, 'Forbidden', {
        detail: `This token is for domain ${own}; it cannot act on domain ${domainkey} (${req.method} ${req.path}).`,
      });
    }
    return domainkey;
  };

  /** Fires `eventname` for `user` together with the user change `undo` takes back: saved, then sent. */
  const commit = async (payload: { eventname: 'User_Create' | 'User_Delete'; domainkey: number; user: StoredUser; undo: () => void }): Promise<void> => {
    const { eventname, domainkey, user, undo } = payload;
    const event = { eventname, domainkey, userkey: user.userkey, username: user.username, timestamp: new Date().toISOString() };
    await fireEvents({ engine, log }, [event], { undo });
    changed('users');
  };

  const merge = async (req: Request, res: Response) => {
    const domainkey = domainOf(req, res, param(req, 'domainkey'));
    const eventname = canonicalEventName(param(req, 'eventname') ?? '');
    if (eventname === undefined) {
      throw validationProblem({
        eventname: [`Unknown event ${JSON.stringify(param(req, 'eventname'))}: use one of ${EVENT_NAMES.join(', ')} (any letter case).`],
      });
    }
    const input = subscriptionInput(jsonBody(req));
    const now = new Date().toISOString();
    const subscriptions = store.data.subscriptions;
    const previous = subscriptions.find((s) => s.domainkey === domainkey && s.eventname === eventname);
    const subscription: StoredSubscription = { domainkey, eventname, ...input, created: previous?.created ?? now, modified: now };
    // Pending deliveries must not reach a target the subscription no longer has, nor outlive it.
    const reason = !input.active
      ? 'the subscription was deactivated'
      : previous !== undefined && previous.target !== input.target
        ? `the subscription was re-pointed to ${input.target}`
        : undefined;
    const cancelled = await store.transact(() => {
      if (previous === undefined) subscriptions.push(subscription);
      else subscriptions[subscriptions.indexOf(previous)] = subscription;
      const cancel =
        reason === undefined
          ? undefined
          : engine.cancelPending((d) => d.domainkey === domainkey && d.eventname === eventname && (!input.active || d.target !== input.target), reason);
      return {
        result: cancel?.result ?? [],
        undo() {
          const at = subscriptions.indexOf(subscription);
          if (at >= 0 && previous !== undefined) subscriptions[at] = previous;
          else if (at >= 0) subscriptions.splice(at, 1);
          cancel?.undo();
        },
      };
    });
    if (cancelled.length > 0)
      log(`${eventname} subscription changed: ${cancelled.length} pending ${cancelled.length === 1 ? 'delivery' : 'deliveries'} cancelled (${reason})`);
    changed('subscriptions');
    res.json(subscriptionView(subscription));
  };
  router.put('/api/webhook/merge/domain/:domainkey/event/:eventname', bearer, body, merge);
  router.put('/api/webhook/merge/event/:eventname', bearer, body, merge);

  const createUser = async (req: Request, res: Response) => {
    const domainkey = domainOf(req, res, param(req, 'domainkey'));
    const input = newUserInput(jsonBody(req));
    const taken = store.data.users.find((u) => u.domainkey === domainkey && sameUsername(u.username, input.username));
    if (taken !== undefined) {
      throw new ProblemError(409, 'Conflict', {
        detail: `The username ${JSON.stringify(input.username)} is taken in domain ${domainkey} (userkey ${taken.userkey}).`,
      });
    }
    const now = new Date().toISOString();
    // The password is checked, then dropped: nothing in the sandbox logs users in.
    const user: StoredUser = {
      userkey: store.data.nextUserkey++,
      username: input.username,
      firstname: input.firstname,
      lastname: input.lastname,
      email: input.email,
      domainkey,
      created: now,
      modified: now,
    };
    const users = store.data.users;
    users.push(user);
    const undo = () => {
      users.splice(users.indexOf(user), 1);
      // Give the userkey back unless a later create took the next one meanwhile.
      if (store.data.nextUserkey === user.userkey + 1) store.data.nextUserkey = user.userkey;
    };
    await commit({ eventname: 'User_Create', domainkey, user, undo });
    res.json(user);
  };
  router.post('/api/user/create/domain/:domainkey', bearer, body, createUser);
  router.post('/api/user/create', bearer, body, createUser);

  const deleteUser = async (req: Request, res: Response, values: Partial<Record<'domainkey' | 'userkey' | 'username', string>>) => {
    const domainkey = domainOf(req, res, values.domainkey);
    const userkey = values.userkey === undefined ? undefined : pathKey('userkey', values.userkey);
    const { username } = values;
    const index = store.data.users.findIndex(
      (u) => u.domainkey === domainkey && (userkey === undefined || u.userkey === userkey) && (username === undefined || sameUsername(u.username, username)),
    );
    const user = store.data.users[index];
    if (user === undefined) {
      const who = [userkey === undefined ? '' : `userkey ${userkey}`, values.username === undefined ? '' : `username ${JSON.stringify(values.username)}`]
        .filter(Boolean)
        .join(' and ');
      throw new ProblemError(404, 'Not Found', { detail: `No user with ${who} in domain ${domainkey}.` });
    }
    const users = store.data.users;
    users.splice(index, 1);
    await commit({ eventname: 'User_Delete', domainkey, user, undo: () => users.splice(Math.min(index, users.length), 0, user) });
    res.json(user);
  };
  router.use((req: Request, res: Response, next: NextFunction) => {
    const values = options.deleteRoute.match(req.method, req.path);
    if (values === undefined) return next();
    bearer(req, res, (error?: unknown) => (error === undefined ? deleteUser(req, res, values).catch(next) : next(error)));
  });
  return router;
}

/** A named path parameter (express 5 types them as string | string[] because of wildcards). */
export function param(req: Request, name: string): string | undefined {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : undefined;
}
