/**
 * How `npm run trigger` makes each of Bracken's nine events happen in the sandbox, and what it needs
 * for it (what `--list` prints). A recipe only says what to do; the kit (trigger.ts) finds or makes
 * the user, module and course, calls the sandbox and records what fired.
 *
 * @example
 * await RECIPES.Module_Complete.run(kit); // finds or makes a user and a module, then completes it
 */
import { EVENT_NAMES, type EventName } from '../../steps/lib/core/index.ts';
import type { StoredCourse, StoredModule } from '../sandbox/learning.ts';
import type { StoredUser } from '../sandbox/store.ts';

/** A certificate as the sandbox's learning routes show it. */
export interface CertificateView {
  readonly certificatekey: number;
  readonly url: string;
  readonly expires: string | null;
}

/** What a recipe can ask for. */
export interface Kit {
  /** Whether `--user` named a user. */
  readonly userGiven: boolean;
  /** The user the event is about: `--user` (found, or created), else the one step 4 recorded, else a new one. */
  learner(): Promise<StoredUser>;
  /** Creates a user through the API (which fires User_Create): `--user`'s name, or a new one. */
  createUser(): Promise<StoredUser>;
  /** Deletes `user` through the API (which fires User_Delete). */
  deleteUser(user: StoredUser): Promise<void>;
  /** `--module`, or a new module whose certificates last 12 months. */
  module(): Promise<StoredModule>;
  /** `--course`, or a new course of one module (`--module`, or a new one). */
  course(): Promise<StoredCourse>;
  /** POSTs to one of the sandbox's learning routes and keeps what fired. */
  post(path: string, body: object): Promise<{ readonly certificate?: CertificateView | null }>;
}

export interface Recipe {
  /** What the event needs, and what else fires on the way; for `--list`. */
  readonly needs: string;
  /** For an Expiring/Expired event: whose certificate's clock it moves, so a --module/--course that never expires is refused first. */
  readonly expiryOf?: 'module' | 'course';
  readonly run: (kit: Kit) => Promise<void>;
}

/** Completes a module with a pass (mark 100); returns the certificate it earns. */
async function passModule(kit: Kit): Promise<CertificateView> {
  const user = await kit.learner();
  const module = await kit.module();
  const { certificate } = await kit.post(`/sandbox/modules/${module.modulekey}/complete`, { userkey: user.userkey, passed: true, mark: 100 });
  return certificate as CertificateView;
}

/** Completes every module of a course left (each a Module_Complete), which completes the course. */
async function completeCourse(kit: Kit): Promise<CertificateView> {
  const user = await kit.learner();
  const course = await kit.course();
  const { certificate } = await kit.post(`/sandbox/courses/${course.coursekey}/complete`, { userkey: user.userkey });
  return certificate as CertificateView;
}

const clock = (to: 'expiring' | 'expired') => async (kit: Kit, certificate: CertificateView) => {
  await kit.post(`/sandbox/certificates/${certificate.certificatekey}/clock`, { to });
};

const USER = 'a user (--user NAME, else the test user step 4 recorded, else a new one)';
const MODULE = 'a module (--module KEY, else a new one)';
const COURSE = 'a course (--course KEY, else a new course of one module)';

export const RECIPES: { readonly [N in EventName]: Recipe } = {
  User_Create: {
    needs: 'nothing: creates a user through the API (--user NAME names it)',
    run: async (kit) => void (await kit.createUser()),
  },
  User_Delete: {
    needs: 'a user to delete: --user NAME (created first if missing), else a new one (which fires User_Create); never the one step 4 recorded unless named',
    run: async (kit) => kit.deleteUser(kit.userGiven ? await kit.learner() : await kit.createUser()),
  },
  Module_Start: {
    needs: `${USER} and ${MODULE}`,
    run: async (kit) => {
      const user = await kit.learner();
      const module = await kit.module();
      await kit.post(`/sandbox/modules/${module.modulekey}/start`, { userkey: user.userkey });
    },
  },
  Module_Complete: {
    needs: `${USER} and ${MODULE}; the user passes with mark 100 and earns a certificate`,
    run: async (kit) => void (await passModule(kit)),
  },
  Module_Expiring: {
    expiryOf: 'module',
    needs: 'as module_complete (which fires Module_Complete), then moves the certificate to its Expiring notice (SANDBOX_EXPIRING_DAYS before expiry)',
    run: async (kit) => clock('expiring')(kit, await passModule(kit)),
  },
  Module_Expired: {
    expiryOf: 'module',
    needs: 'as module_complete, then moves the certificate past its expiry (Module_Expiring fires first, as time passes it)',
    run: async (kit) => clock('expired')(kit, await passModule(kit)),
  },
  Course_Complete: {
    needs: `${USER} and ${COURSE}; completes each module left (a Module_Complete each)`,
    run: async (kit) => void (await completeCourse(kit)),
  },
  Course_Expiring: {
    expiryOf: 'course',
    needs: 'as course_complete, then moves the course certificate to its Expiring notice',
    run: async (kit) => clock('expiring')(kit, await completeCourse(kit)),
  },
  Course_Expired: {
    expiryOf: 'course',
    needs: 'as course_complete, then moves the course certificate past its expiry (Course_Expiring fires first)',
    run: async (kit) => clock('expired')(kit, await completeCourse(kit)),
  },
};

/** `npm run trigger -- --list`: every event, and what it needs. */
export function listEvents(): string {
  const width = Math.max(...EVENT_NAMES.map((name) => name.length));
  const lines = EVENT_NAMES.map((name) => `  ${name.toLowerCase().padEnd(width)}  ${RECIPES[name].needs}`);
  return ['Events (any letter case), and what each needs:', ...lines, '', 'Subscribe first: WEBHOOK_EVENTS=<event>[,<event>...] npm run step:2'].join('\n');
}
