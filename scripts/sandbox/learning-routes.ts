/**
 * The sandbox's own routes for the learning events (NOT Bracken's: in Bracken, people start and
 * complete modules in the portal, and certificates expire with time). They make each event happen
 * on request, through the same path as User_Create: the subscription lookup, signing, delivery and
 * retries of the delivery engine (fire.ts). No token needed, like the other /sandbox/ routes (the
 * sandbox binds to loopback); every POST takes a JSON body, so a web page cannot send one cross-site.
 *
 *   POST /sandbox/modules                         {title?, lifetimeMonths?}        a module (201)
 *   POST /sandbox/courses                         {modulekeys, title?, lifetimeMonths?}  a course (201)
 *   POST /sandbox/modules/{modulekey}/start       {userkey | username}             Module_Start
 *   POST /sandbox/modules/{modulekey}/complete    {userkey | username, passed?, mark?}  Module_Complete (and Course_Complete)
 *   POST /sandbox/courses/{coursekey}/complete    {userkey | username}             Module_Complete per module left, Course_Complete
 *   POST /sandbox/certificates/{key}/clock        {to: expiring | expired} or {days}  Module_/Course_Expiring, _Expired
 *   GET  /sandbox/modules, /sandbox/courses, /sandbox/certificates, /sandbox/certificates/{key}
 *
 * A POST that fires events answers `{ fired: [{ eventname, payload, deliveries: [{ id, target }] }] }`, plus the
 * `certificate` involved (its key, URL and expiry) for a completion or a clock move.
 */
import express, { type Request, type Response, type Router } from 'express';
import { param } from './api.ts';
import type { DeliveryEngine } from './deliveries.ts';
import { fireEvents } from './fire.ts';
import { clockInput, completionInput, learnerInput, newCourseInput, newModuleInput, type Learner } from './learning-input.ts';
import {
  completeCourse,
  completeModule,
  emptyLearning,
  moveClock,
  about,
  type LearningClock,
  type LearningData,
  type StoredCertificate,
  type StoredCourse,
  type StoredModule,
} from './learning.ts';
import { ProblemError } from './problem.ts';
import type { Store, StoredUser } from './store.ts';
import { sameUsername } from './username.ts';
import { jsonBody, pathKey } from './validate.ts';

export interface LearningRouteOptions {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly log: (line: string) => void;
  /** The sandbox's origin: certificate URLs point here. */
  readonly issuer: string;
  /** The sandbox's one domain: the modules and courses made here belong to it. */
  readonly domainkey: number;
  /** Days before expiry that Module_Expiring / Course_Expiring fire (SANDBOX_EXPIRING_DAYS). */
  readonly expiringDays: number;
}

/** The learning routes, over `options.store`. */
export function learningRouter(options: LearningRouteOptions): Router {
  const { store, domainkey } = options;
  const router = express.Router();
  const body = express.raw({ type: () => true, limit: '100kb' });
  const learning = (): LearningData => (store.data.learning ??= emptyLearning());
  const clock: LearningClock = {
    now: () => new Date(),
    certificateUrl: (key) => `${options.issuer}/sandbox/certificates/${key}`,
    expiringDays: options.expiringDays,
  };
  /**
   * Fires `events` after the change a route made to the learning data since `before` was taken; when
   * the save fails (a full disk) the learning data goes back to `before`, so the 500 means nothing
   * happened. (A snapshot, not a precise undo: completions, certificates and their clocks change in
   * several places, and the sandbox serves one person's walkthrough at a time.)
   */
  const fire = (events: Parameters<typeof fireEvents>[1], before: LearningData) =>
    fireEvents(options, events, {
      undo: () => {
        store.data.learning = before;
      },
    });
  const snapshot = (): LearningData => structuredClone(learning());
  const view = (certificate: StoredCertificate) => ({ ...certificate, url: clock.certificateUrl(certificate.certificatekey) });

  router.post('/sandbox/modules', body, async (req: Request, res: Response) => {
    const input = newModuleInput(jsonBody(req));
    const module = await store.transact(() => {
      const data = learning();
      const modulekey = data.nextKey++;
      const made: StoredModule = { modulekey, domainkey, title: input.title ?? `Module ${modulekey}`, lifetimeMonths: input.lifetimeMonths, created: now() };
      data.modules.push(made);
      return {
        result: made,
        undo: () => {
          data.modules = data.modules.filter((m) => m !== made);
        },
      };
    });
    res.status(201).json(module);
  });

  router.post('/sandbox/courses', body, async (req: Request, res: Response) => {
    const input = newCourseInput(jsonBody(req));
    const data = learning();
    for (const key of input.modulekeys) findModule(data, key);
    const course = await store.transact(() => {
      const coursekey = data.nextKey++;
      const made: StoredCourse = {
        coursekey,
        domainkey,
        title: input.title ?? `Course ${coursekey}`,
        modulekeys: input.modulekeys,
        lifetimeMonths: input.lifetimeMonths,
        created: now(),
      };
      data.courses.push(made);
      return {
        result: made,
        undo: () => {
          data.courses = data.courses.filter((c) => c !== made);
        },
      };
    });
    res.status(201).json(course);
  });

  router.post('/sandbox/modules/:modulekey/start', body, async (req: Request, res: Response) => {
    const module = findModule(learning(), pathKey('modulekey', param(req, 'modulekey')));
    const user = findUser(learnerInput(jsonBody(req)));
    res.json({ fired: await fire([{ ...about(user, 'Module_Start', now()), modulekey: module.modulekey }], snapshot()) });
  });

  router.post('/sandbox/modules/:modulekey/complete', body, async (req: Request, res: Response) => {
    const data = learning();
    const module = findModule(data, pathKey('modulekey', param(req, 'modulekey')));
    const input = completionInput(jsonBody(req));
    const before = snapshot();
    const { events, certificate } = completeModule(data, findUser(input.learner), module, input, clock);
    res.json({ fired: await fire(events, before), certificate: certificate === undefined ? null : view(certificate) });
  });

  router.post('/sandbox/courses/:coursekey/complete', body, async (req: Request, res: Response) => {
    const data = learning();
    const key = pathKey('coursekey', param(req, 'coursekey'));
    const course = data.courses.find((c) => c.coursekey === key);
    if (course === undefined) throw notFound(`No course with coursekey ${key}: POST /sandbox/courses {"modulekeys": [...]} creates one.`);
    const user = findUser(learnerInput(jsonBody(req)));
    const before = snapshot();
    const fired = await fire(completeCourse(data, user, course, data.modules, clock), before);
    const certificate = data.certificates.findLast((c) => c.coursekey === course.coursekey && c.userkey === user.userkey);
    res.json({ fired, certificate: certificate === undefined ? null : view(certificate) });
  });

  router.post('/sandbox/certificates/:certificatekey/clock', body, async (req: Request, res: Response) => {
    const certificate = findCertificate(pathKey('certificatekey', param(req, 'certificatekey')));
    const move = clockInput(jsonBody(req));
    if (certificate.expires === null) {
      throw new ProblemError(409, 'Conflict', {
        detail: `Certificate ${certificate.certificatekey} never expires (its module or course has lifetimeMonths null), so it has no Expiring or Expired event.`,
      });
    }
    const before = snapshot();
    const events = moveClock(certificate, move, clock);
    res.json({ fired: await fire(events, before), certificate: view(certificate) });
  });

  router.get('/sandbox/modules', (_req, res) => void res.json(learning().modules));
  router.get('/sandbox/courses', (_req, res) => void res.json(learning().courses));
  router.get('/sandbox/certificates', (_req, res) => void res.json(learning().certificates.map(view)));
  router.get('/sandbox/certificates/:certificatekey', (req, res) => {
    res.json(view(findCertificate(pathKey('certificatekey', param(req, 'certificatekey')))));
  });
  return router;

  function findUser(learner: Learner): StoredUser {
    const user = store.data.users.find(
      (u) => u.domainkey === domainkey && ('userkey' in learner ? u.userkey === learner.userkey : sameUsername(u.username, learner.username)),
    );
    const who = 'userkey' in learner ? `userkey ${learner.userkey}` : `username ${JSON.stringify(learner.username)}`;
    if (user === undefined) throw notFound(`No user with ${who} in domain ${domainkey}: POST /api/user/create/domain/${domainkey} creates one.`);
    return user;
  }

  function findCertificate(key: number): StoredCertificate {
    const certificate = learning().certificates.find((c) => c.certificatekey === key);
    if (certificate === undefined) throw notFound(`No certificate with key ${key}: a passed module or a completed course earns one.`);
    return certificate;
  }
}

function findModule(data: LearningData, key: number): StoredModule {
  const module = data.modules.find((m) => m.modulekey === key);
  if (module === undefined) throw notFound(`No module with modulekey ${key}: POST /sandbox/modules creates one.`);
  return module;
}

function notFound(detail: string): ProblemError {
  return new ProblemError(404, 'Not Found', { detail });
}

function now(): string {
  return new Date().toISOString();
}
