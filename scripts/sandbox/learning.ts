/**
 * The sandbox's learning records, so the seven learning events can fire: modules and courses, the
 * users' completions, and the certificates they earn. Bracken documents when each event fires
 * (shared/bracken-api.md §1.3), not how; the rules here are the sandbox's own choice:
 *
 * - Module_Start fires when asked (nothing is recorded: Bracken's progress model is unknown).
 * - Module_Complete records a completion; a pass earns a certificate that expires after the
 *   module's `lifetimeMonths` (null: never).
 * - Course_Complete fires when a pass completes the last module of a course the user had not
 *   passed in full, and earns a course certificate.
 * - Module_Expiring / Course_Expiring fire once, `expiringDays` before the certificate expires;
 *   Module_Expired / Course_Expired once, when it has expired. Real time rarely gets there, so the
 *   certificate's clock is moved by hand (moveClock), which shifts its dates into the past.
 *
 * Every function changes `learning` in memory and returns the events to fire; the caller saves the
 * store, then sends them (fire.ts).
 *
 * @example
 * const { events, certificate } = completeModule(learning, user, module, { passed: true, mark: 100 }, clock);
 * moveClock(certificate, { to: 'expiring' }, clock); // [Module_Expiring]
 */
import type { BrackenEvent, CourseCompleteEvent, ModuleCompleteEvent } from '../../steps/lib/bracken/index.ts';
import type { StoredUser } from './store.ts';

export interface StoredModule {
  readonly modulekey: number;
  readonly domainkey: number;
  readonly title: string;
  /** Months a certificate lasts; null: it never expires. */
  readonly lifetimeMonths: number | null;
  readonly created: string;
}

export interface StoredCourse {
  readonly coursekey: number;
  readonly domainkey: number;
  readonly title: string;
  readonly modulekeys: readonly number[];
  readonly lifetimeMonths: number | null;
  readonly created: string;
}

export interface StoredCompletion {
  readonly userkey: number;
  readonly modulekey: number;
  readonly passed: boolean;
  readonly mark: number;
  readonly completedAt: string;
  readonly certificatekey: number | null;
}

/** What a certificate certifies: a module or a course, never both. */
export type CertificateSubject = { readonly modulekey: number; readonly coursekey: null } | { readonly modulekey: null; readonly coursekey: number };

export type StoredCertificate = CertificateSubject & {
  readonly certificatekey: number;
  readonly domainkey: number;
  readonly userkey: number;
  /** Kept, so the expiry events still name the user after the user is deleted. */
  readonly username: string;
  issued: string;
  expires: string | null;
  /** When Module_Expiring / Course_Expiring fired (each fires once). */
  expiringFiredAt: string | null;
  expiredFiredAt: string | null;
};

/** The learning part of the store (store.ts `learning`). */
export interface LearningData {
  /** Next modulekey, coursekey or certificatekey: one sequence, so a key never means two things. */
  nextKey: number;
  modules: StoredModule[];
  courses: StoredCourse[];
  completions: StoredCompletion[];
  certificates: StoredCertificate[];
}

/** What the rules need from outside: the time, the certificate URL, the Expiring lead time. */
export interface LearningClock {
  readonly now: () => Date;
  readonly certificateUrl: (certificatekey: number) => string;
  readonly expiringDays: number;
}

/** How to move a certificate's clock: to the moment of the Expiring notice, to its expiry, or by some days. */
export type ClockMove = { readonly to: 'expiring' | 'expired' } | { readonly days: number };

const FIRST_KEY = 2001;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An empty learning record. */
export function emptyLearning(): LearningData {
  return { nextKey: FIRST_KEY, modules: [], courses: [], completions: [], certificates: [] };
}

/** Records a pass or a fail of `module`; a pass earns a certificate, and may complete courses. */
export function completeModule(
  learning: LearningData,
  user: StoredUser,
  module: StoredModule,
  result: { readonly passed: boolean; readonly mark: number },
  clock: LearningClock,
): { events: BrackenEvent[]; certificate: StoredCertificate | undefined } {
  const at = clock.now().toISOString();
  const passedBefore = hasPassed(learning, user.userkey);
  const certificate = result.passed ? issue(learning, user, { modulekey: module.modulekey, coursekey: null }, module.lifetimeMonths, at) : undefined;
  learning.completions.push({
    userkey: user.userkey,
    modulekey: module.modulekey,
    passed: result.passed,
    mark: result.mark,
    completedAt: at,
    certificatekey: certificate?.certificatekey ?? null,
  });
  const complete: ModuleCompleteEvent = {
    ...about(user, 'Module_Complete', at),
    modulekey: module.modulekey,
    passed: result.passed,
    mark: result.mark,
    certificate: certificate === undefined ? null : clock.certificateUrl(certificate.certificatekey),
    expires: certificate?.expires ?? null,
  };
  const events: BrackenEvent[] = [complete];
  // A course completes with the pass that leaves none of its modules unpassed.
  if (result.passed && !passedBefore(module.modulekey)) {
    const passed = hasPassed(learning, user.userkey);
    for (const course of learning.courses) {
      if (course.domainkey === user.domainkey && course.modulekeys.includes(module.modulekey) && course.modulekeys.every(passed)) {
        events.push(completeCourseNow(learning, user, course, clock));
      }
    }
  }
  return { events, certificate };
}

/** Completes (passes, mark 100) every module of `course` the user has not passed; the last one completes the course. */
export function completeCourse(
  learning: LearningData,
  user: StoredUser,
  course: StoredCourse,
  modules: readonly StoredModule[],
  clock: LearningClock,
): BrackenEvent[] {
  const passed = hasPassed(learning, user.userkey);
  const remaining = modules.filter((module) => course.modulekeys.includes(module.modulekey) && !passed(module.modulekey));
  // Every module passed already: completing the course again re-issues its certificate.
  if (remaining.length === 0) return [completeCourseNow(learning, user, course, clock)];
  return remaining.flatMap((module) => completeModule(learning, user, module, { passed: true, mark: 100 }, clock).events);
}

/** Shifts `certificate`'s dates into the past as if time had passed, and fires the expiry events now due. */
export function moveClock(certificate: StoredCertificate, move: ClockMove, clock: LearningClock): BrackenEvent[] {
  if (certificate.expires === null) return [];
  const now = clock.now().getTime();
  const lead = clock.expiringDays * DAY_MS;
  const expires = Date.parse(certificate.expires);
  const newExpiry = 'days' in move ? expires - move.days * DAY_MS : Math.min(expires, move.to === 'expiring' ? now + lead : now);
  certificate.expires = new Date(newExpiry).toISOString();
  certificate.issued = new Date(Date.parse(certificate.issued) - (expires - newExpiry)).toISOString();

  const at = new Date(now).toISOString();
  const events: BrackenEvent[] = [];
  // Expiring first: a clock moved past the expiry still passed the moment of the notice.
  if (certificate.expiringFiredAt === null && now >= newExpiry - lead) {
    certificate.expiringFiredAt = at;
    events.push(expiryEvent(certificate, 'expiring', at, clock));
  }
  if (certificate.expiredFiredAt === null && now >= newExpiry) {
    certificate.expiredFiredAt = at;
    events.push(expiryEvent(certificate, 'expired', at, clock));
  }
  return events;
}

/** The fields every event carries, for `user` at `at`. */
export function about<N extends BrackenEvent['eventname']>(user: Pick<StoredUser, 'domainkey' | 'userkey' | 'username'>, eventname: N, at: string) {
  return { eventname, domainkey: user.domainkey, userkey: user.userkey, username: user.username, timestamp: at };
}

function expiryEvent(certificate: StoredCertificate, phase: 'expiring' | 'expired', at: string, clock: LearningClock): BrackenEvent {
  const fields = { certificate: clock.certificateUrl(certificate.certificatekey), expires: certificate.expires ?? at };
  if (certificate.modulekey !== null) {
    return { ...about(certificate, phase === 'expiring' ? 'Module_Expiring' : 'Module_Expired', at), modulekey: certificate.modulekey, ...fields };
  }
  return { ...about(certificate, phase === 'expiring' ? 'Course_Expiring' : 'Course_Expired', at), coursekey: certificate.coursekey, ...fields };
}

function completeCourseNow(learning: LearningData, user: StoredUser, course: StoredCourse, clock: LearningClock): CourseCompleteEvent {
  const at = clock.now().toISOString();
  const certificate = issue(learning, user, { modulekey: null, coursekey: course.coursekey }, course.lifetimeMonths, at);
  return {
    ...about(user, 'Course_Complete', at),
    coursekey: course.coursekey,
    certificate: clock.certificateUrl(certificate.certificatekey),
    expires: certificate.expires,
  };
}

function issue(learning: LearningData, user: StoredUser, what: CertificateSubject, lifetimeMonths: number | null, at: string): StoredCertificate {
  const certificate: StoredCertificate = {
    certificatekey: learning.nextKey++,
    domainkey: user.domainkey,
    userkey: user.userkey,
    username: user.username,
    ...what,
    issued: at,
    expires: lifetimeMonths === null ? null : addMonths(at, lifetimeMonths),
    expiringFiredAt: null,
    expiredFiredAt: null,
  };
  learning.certificates.push(certificate);
  return certificate;
}

/** Whether `userkey` has passed a module, as of now (a snapshot: later passes do not change it). */
function hasPassed(learning: LearningData, userkey: number): (modulekey: number) => boolean {
  const passed = new Set(learning.completions.filter((c) => c.userkey === userkey && c.passed).map((c) => c.modulekey));
  return (modulekey) => passed.has(modulekey);
}

function addMonths(iso: string, months: number): string {
  const date = new Date(iso);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString();
}
