/**
 * `npm run trigger -- <event>`, like `stripe trigger`: fires one Bracken event through a running
 * sandbox's real path (subscription lookup, signing, delivery, retries), making what it needs on the
 * way (a user, a module, a course) and saying what it made and what fired. It refuses, before it
 * changes anything, when no sandbox runs, nothing subscribes to the event, or the --module/--course
 * given is unknown (or never expires, for an Expiring/Expired event). A run that fails part-way
 * still lists what it had fired.
 *
 * @example
 * const result = await triggerEvent({ event: 'module_complete', config, log: console.log });
 * result.fired // [{ eventname: 'Module_Complete', deliveries: [{ id, target, outcome: 'delivered (200)' }] }]
 */
import {
  type Config,
  belongsToConfigured,
  canonicalEventName,
  EVENT_NAMES,
  type EventName,
  generatePassword,
  generateUsername,
  openState,
  resolveStepDeps,
  type UserState,
} from '../../steps/lib/core/index.ts';
import { createBrackenApi, eventSummary, formatFields, userkeyFrom } from '../../steps/lib/bracken/index.ts';
import type { Fired } from '../sandbox/fire.ts';
import type { StoredCourse, StoredModule } from '../sandbox/learning.ts';
import type { StoredDelivery, StoredSubscription, StoredUser } from '../sandbox/store.ts';
import { TRIGGER_NO_SANDBOX, TRIGGER_NOT_SUBSCRIBED, TRIGGER_REFUSED, TRIGGER_USAGE, TriggerError } from './errors.ts';
import { type CertificateView, type Kit, RECIPES } from './recipes.ts';
import { connectSandbox, deliveriesSince, deliveryCount, type SandboxClient } from './sandbox-client.ts';

export interface TriggerOptions {
  /** The event, in any letter case (`module_complete`, `Module_Complete`). */
  readonly event: string;
  /** `--user`: the username the event is about (found, or created). */
  readonly user?: string | undefined;
  /** `--module`: a modulekey the sandbox knows. */
  readonly module?: number | undefined;
  /** `--course`: a coursekey the sandbox knows. */
  readonly course?: number | undefined;
  readonly config: Config;
  readonly log: (line: string) => void;
  /** How long to wait for each delivery's first attempt; default 5 s. */
  readonly waitMs?: number;
}

export interface FiredEvent {
  readonly eventname: EventName;
  readonly payload: Fired['payload'] | undefined;
  readonly deliveries: readonly { readonly id: string; readonly target: string; readonly outcome: string }[];
}

export interface TriggerResult {
  readonly event: EventName;
  /** What the trigger made on the way, one phrase each. */
  readonly created: readonly string[];
  readonly fired: readonly FiredEvent[];
  /** The user the event is about, when it is one the recorded walkthrough knows (user.json). */
  readonly recordedUser: boolean;
}

const DEFAULT_WAIT_MS = 5_000;
const UNKNOWN_OUTCOME = 'what became of it is unknown (the run stopped); GET /sandbox/deliveries says';

/** Fires `options.event` in the sandbox. Throws TriggerError (see errors.ts), ApiError from the user routes. */
export async function triggerEvent(options: TriggerOptions): Promise<TriggerResult> {
  const { config, log } = options;
  const event = canonicalEventName(options.event);
  if (event === undefined) {
    throw new TriggerError(TRIGGER_USAGE, `${JSON.stringify(options.event)} is not a Bracken event.`, {
      hint: `Use one of ${EVENT_NAMES.map((name) => name.toLowerCase()).join(', ')} (any letter case); npm run trigger -- --list says what each needs.`,
    });
  }
  if (config.mode !== 'sandbox') {
    throw new TriggerError(
      TRIGGER_NO_SANDBOX,
      `BRACKEN_CLIENT_ID is set, so the workbench talks to Bracken at ${config.apiUrl}, which has no trigger routes.`,
      {
        hint: 'Make the event happen in Bracken itself (create a user, complete a module), or run the trigger against the sandbox: BRACKEN_CLIENT_ID= npm run trigger -- ...',
      },
    );
  }

  // Nothing is made before the checks pass: a sandbox that answers, a subscription that delivers, and the --module / --course named.
  const sandbox = await connectSandbox(config.apiUrl, config.httpTimeoutMs);
  log(`Trigger: ${event} through the sandbox at ${sandbox.url}`);
  const subscriptions = await sandbox.get<StoredSubscription[]>('/sandbox/subscriptions');
  const mine = subscriptions.filter((s) => s.domainkey === config.domainkey && s.eventname === event);
  const active = mine.filter((s) => s.active);
  if (active.length === 0) {
    const lower = event.toLowerCase();
    throw new TriggerError(
      TRIGGER_NOT_SUBSCRIBED,
      `No active subscription to ${event} in the sandbox at ${sandbox.url} (domainkey ${config.domainkey}): nothing would be delivered.`,
      {
        hint:
          `${mine.length > 0 ? `(The ${lower} subscription is inactive: step 6 switched it off.) ` : ''}Subscribe first: WEBHOOK_EVENTS=${lower} npm run step:2 ` +
          `(or add ${lower} to WEBHOOK_EVENTS in .env), with npm run step:3 running to receive it; then run this again.`,
      },
    );
  }
  for (const s of active) log(`Subscription: ${s.eventname} -> ${s.target} (active)`);

  const given = await givenKeys(sandbox, options);
  refuseNeverExpiring(event, given);
  const before = await deliveryCount(sandbox);
  const recorded = await recordedUser(config);
  const kit = createKit({ options, sandbox, recorded, before, given });
  let fired: FiredEvent[];
  try {
    await RECIPES[event].run(kit.kit);
    fired = await outcomes(sandbox, before, kit.fired, options.waitMs ?? DEFAULT_WAIT_MS);
  } catch (error) {
    // What fired before the failure is being delivered all the same: say so before the error.
    const unknown = kit.fired.map((f) => ({ ...f, deliveries: f.deliveries.map((d) => ({ ...d, outcome: UNKNOWN_OUTCOME })) }));
    for (const line of describeFired(unknown, event)) log(line);
    throw error;
  }
  for (const line of describeFired(fired, event)) log(line);
  const about = kit.fired.findLast((f) => f.eventname === event)?.payload;
  // The name too, as in learner(): a sandbox whose store was reset gives the recorded userkey to the next new user.
  const isRecorded = recorded !== undefined && about?.userkey === recorded.userkey && about.username.toLowerCase() === recorded.username.toLowerCase();
  return { event, created: kit.created, fired, recordedUser: isRecorded };
}

/** The `--module` and `--course` named, looked up before anything is made: an unknown key must not leave a new user behind. */
async function givenKeys(sandbox: SandboxClient, options: TriggerOptions): Promise<GivenKeys> {
  const find = async <T>(kind: 'module' | 'course', key: number | undefined, keyOf: (item: T) => number): Promise<T | undefined> => {
    if (key === undefined) return undefined;
    const found = (await sandbox.get<T[]>(`/sandbox/${kind}s`)).find((item) => keyOf(item) === key);
    if (found === undefined) throw unknownKey(kind, key);
    return found;
  };
  return {
    module: await find<StoredModule>('module', options.module, (m) => m.modulekey),
    course: await find<StoredCourse>('course', options.course, (c) => c.coursekey),
  };
}

/** An Expiring/Expired event for a --module or --course whose certificates never expire: refused before its completion fires. */
function refuseNeverExpiring(event: EventName, given: GivenKeys): void {
  const kind = RECIPES[event].expiryOf;
  const subject = kind === undefined ? undefined : given[kind];
  if (kind === undefined || subject === undefined || subject.lifetimeMonths !== null) return;
  const what = 'coursekey' in subject ? `Course ${subject.coursekey}` : `Module ${subject.modulekey}`;
  throw new TriggerError(TRIGGER_REFUSED, `${what}'s certificates never expire (lifetimeMonths null), so there is no ${event} to fire.`, {
    hint: `Leave --${kind} out to have a ${kind} made whose certificates last 12 months.`,
  });
}

/** The test user step 4 recorded, when it belongs to this sandbox (user.json). */
async function recordedUser(config: Config): Promise<UserState | undefined> {
  const user = await openState(config.stateDir).read('user');
  return user !== undefined && belongsToConfigured(user, config) ? user : undefined;
}

interface GivenKeys {
  readonly module: StoredModule | undefined;
  readonly course: StoredCourse | undefined;
}

interface KitInput {
  readonly options: TriggerOptions;
  readonly sandbox: SandboxClient;
  readonly recorded: UserState | undefined;
  /** How many deliveries the sandbox had made before: the rest are the trigger's. */
  readonly before: number;
  /** What `--module` and `--course` name (checked to exist). */
  readonly given: GivenKeys;
}

/** The kit the recipes use, recording what it makes and what fires. */
function createKit(input: KitInput): { kit: Kit; created: string[]; fired: Fired[] } {
  const { options, sandbox, recorded, before, given } = input;
  const { config, log } = options;
  const created: string[] = [];
  const fired: Fired[] = [];
  const api = createBrackenApi(resolveStepDeps({ config, log }));
  const made = (what: string) => {
    created.push(what);
    log(`Created: ${what}`);
  };
  let module: StoredModule | undefined;

  /** The User_Create / User_Delete the API just fired for `user`: the new deliveries whose body names them. */
  const firedByApi = async (eventname: 'User_Create' | 'User_Delete', user: StoredUser) => {
    const deliveries = (await deliveriesSince(sandbox, before)).filter(
      (d) => d.eventname === eventname && (JSON.parse(d.body) as { userkey?: unknown }).userkey === user.userkey,
    );
    const payload = { eventname, domainkey: user.domainkey, userkey: user.userkey, username: user.username, timestamp: user.modified };
    fired.push({ eventname, payload, deliveries: deliveries.map((d) => ({ id: d.id, target: d.target })) });
  };

  const createUser = async (username = options.user ?? generateUsername('Trigger-User')): Promise<StoredUser> => {
    const answer = await api.createUser(
      { username, password: generatePassword() },
      { 409: `A user called ${username} already exists in the sandbox: name another with --user, or leave --user out for a new one.` },
    );
    const userkey = userkeyFrom(answer, { method: 'POST', url: `${config.apiUrl}/api/user/create`, username });
    const user = (await sandbox.get<StoredUser[]>('/sandbox/users')).find((u) => u.userkey === userkey) as StoredUser;
    made(`user ${username} (userkey ${userkey}), which fires User_Create`);
    await firedByApi('User_Create', user);
    return user;
  };

  const kit: Kit = {
    userGiven: options.user !== undefined,
    async learner() {
      const users = await sandbox.get<StoredUser[]>('/sandbox/users');
      const wanted = options.user ?? recorded?.username;
      // The recorded user is the one with its name and its userkey: a reset store may give either to someone else.
      const found = users.find(
        (u) =>
          u.domainkey === config.domainkey &&
          u.username.toLowerCase() === wanted?.toLowerCase() &&
          (options.user !== undefined || u.userkey === recorded?.userkey),
      );
      if (found !== undefined) {
        log(`User: ${found.username} (userkey ${found.userkey})${options.user === undefined ? ', the test user step 4 recorded' : ''}`);
        return found;
      }
      return createUser(options.user);
    },
    createUser: () => createUser(),
    async deleteUser(user) {
      await api.deleteUser(user);
      log(`Deleted: user ${user.username} (userkey ${user.userkey}), which fires User_Delete`);
      await firedByApi('User_Delete', user);
    },
    async module() {
      if (module !== undefined) return module;
      if (given.module !== undefined) {
        module = given.module;
        log(`Module: ${module.modulekey} ${JSON.stringify(module.title)}`);
        return module;
      }
      module = await sandbox.post<StoredModule>('/sandbox/modules', { lifetimeMonths: 12 });
      made(`module ${module.modulekey} ${JSON.stringify(module.title)} (its certificates last 12 months)`);
      return module;
    },
    async course() {
      if (given.course !== undefined) {
        const course = given.course;
        log(`Course: ${course.coursekey} ${JSON.stringify(course.title)} (modules ${course.modulekeys.join(', ')})`);
        return course;
      }
      const { modulekey } = await kit.module();
      const course = await sandbox.post<StoredCourse>('/sandbox/courses', { modulekeys: [modulekey], lifetimeMonths: 12 });
      made(`course ${course.coursekey} ${JSON.stringify(course.title)} of module ${modulekey} (its certificates last 12 months)`);
      return course;
    },
    async post(path, body) {
      const answer = await sandbox.post<{ fired: Fired[]; certificate?: CertificateView | null }>(path, body);
      fired.push(...answer.fired);
      return answer;
    },
  };
  return { kit, created, fired };
}

function unknownKey(kind: 'module' | 'course', key: number): TriggerError {
  return new TriggerError(TRIGGER_REFUSED, `The sandbox has no ${kind} with ${kind}key ${key}.`, {
    hint: `GET /sandbox/${kind}s lists the ones it has; leave --${kind} out to have a new one made.`,
  });
}

/** Each fired event with what became of its deliveries, waiting up to `waitMs` for their first attempts. */
async function outcomes(sandbox: SandboxClient, before: number, fired: readonly Fired[], waitMs: number): Promise<FiredEvent[]> {
  const ids = new Set(fired.flatMap((f) => f.deliveries.map((d) => d.id)));
  const deadline = Date.now() + waitMs;
  let known = new Map<string, StoredDelivery>();
  for (;;) {
    known = new Map((await deliveriesSince(sandbox, before)).filter((d) => ids.has(d.id)).map((d) => [d.id, d]));
    if ([...ids].every((id) => (known.get(id)?.attempts ?? 0) > 0) || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fired.map((f) => ({
    eventname: f.eventname,
    payload: f.payload,
    deliveries: f.deliveries.map((d) => ({ ...d, outcome: outcome(known.get(d.id)) })),
  }));
}

/** What became of a delivery, in words; only a pending one is said to be retried. */
function outcome(delivery: StoredDelivery | undefined): string {
  if (delivery === undefined) return 'not found in /sandbox/deliveries';
  const last = delivery.lastError ?? 'failed';
  switch (delivery.status) {
    case 'delivered':
      return `delivered (${delivery.lastStatus ?? 'ok'})`;
    case 'failed':
      return `failed for good: ${delivery.reason ?? 'the sandbox gave up'} (last: ${last})`;
    case 'cancelled':
      return `cancelled: ${delivery.reason ?? 'no reason given'}`;
    case 'pending':
      if (delivery.attempts === 0) return 'queued, not sent yet';
      // An answer means the receiver runs and refused it; no answer means nothing listens there.
      return delivery.lastStatus === null
        ? `not delivered yet: ${last}; the sandbox retries it (is npm run step:3 running?)`
        : `not delivered yet: your receiver answered ${last}; the sandbox retries it (the receiver's log says why it refused: another secret?)`;
  }
}

/** "Fired: Module_Complete (userkey 1001, ...)" and one line per delivery. */
function describeFired(fired: readonly FiredEvent[], event: EventName): string[] {
  return fired.flatMap((f) => {
    const fields = f.payload === undefined ? '' : ` (${formatFields(eventSummary(f.payload).fields)})`;
    const head = `${f.eventname === event ? 'Fired' : 'Also fired'}: ${f.eventname}${fields}`;
    if (f.deliveries.length === 0) return [head, '  no active subscription: not delivered'];
    return [head, ...f.deliveries.map((d) => `  delivery ${d.id} -> ${d.target}: ${d.outcome}`)];
  });
}
