/**
 * Step 4: create a test user, which fires User_Create ("Trigger Webhook" in the tutorial).
 *
 * The tutorial's newUser.py POSTs {"username": "Test-User", "password": "..."} to
 * https://api.brackenlearning.com/api/user/create/domain/{domainkey}. This step sends a unique
 * username and a strong random password that is never printed or stored: nobody logs in as it.
 *
 * Run: npm run step:4
 */
import {
  resolveStepDeps,
  type StepDeps,
  describeTarget,
  isMain,
  runStep,
  readCommandLine,
  generatePassword,
  generateUsername,
  printable,
  STATE_FILES,
  STEP_PRECONDITION,
  StepError,
  processIsRunning,
  sayIfInterrupted,
  WEBHOOK_EVENT,
  type UserState,
} from './lib/core/index.ts';
import { createBrackenApi, noteUserMayExist, subscriptionStatus, userCreatePath, userkeyFrom, type SubscriptionStatus } from './lib/bracken/index.ts';
import { recordingStep } from './lib/record/index.ts';

export interface CreateTestUserDeps extends StepDeps {
  /** Whether a listener's pid is alive (tests replace it). */
  isRunning?: (pid: number) => boolean;
}

/** Creates the test user, records it in user.json (no password), and returns the record. */
export async function createTestUser(deps: CreateTestUserDeps = {}): Promise<UserState> {
  // Prerequisites: an active subscription (step 2) and a listener (step 3) to see the webhook arrive.
  // A test user from an earlier run must be deleted first (step 6), or it would be forgotten here.
  const step = resolveStepDeps(deps);
  const { config, state, log, now, next, inNpmStart } = step;
  log(describeTarget(config));
  let status: SubscriptionStatus;
  {
    const earlier = await state.read('user');
    if (earlier !== undefined) {
      throw new StepError(
        STEP_PRECONDITION,
        `A test user from an earlier run is still recorded: ${earlier.username} (userkey ${earlier.userkey}) on ${earlier.apiUrl}.`,
        {
          hint: 'Run `npm run step:6` to delete it first, then run this step again.',
        },
      );
    }
    // What webhook.json says about user_create, next to where the listener (step 3) runs, if it does.
    const listener = await state.read('listener');
    const running = listener !== undefined && (deps.isRunning ?? processIsRunning)(listener.pid) ? listener : undefined;
    status = subscriptionStatus({ webhook: await state.read('webhook'), listener: running, config, event: WEBHOOK_EVENT });
    log(subscriptionLine(status));
  }

  // "You can change the JSON body to your preferred username and password" (a strong one).
  const username = config.testUsername ?? generateUsername();
  const password = generatePassword();
  {
    log(`User: ${username}, with a random ${password.length}-character password (not printed, not stored)`);
  }

  // "Send a POST to create a new user in your domain"
  let userkey: number;
  {
    const url = `${config.apiUrl}${userCreatePath(config.domainkey)}`;
    log(`POST ${url} {username, password}`);
    const api = createBrackenApi(step);
    // A Ctrl-C now may leave a user in Bracken that nothing records: say which, before exiting.
    const interrupted = (signal: NodeJS.Signals): string[] => {
      // npm start's sandbox is its own, gone with the run: so is any user it made.
      if (inNpmStart && config.mode === 'sandbox')
        return [`${signal}: stopped while POST ${url} was under way; the sandbox was this run's own, so no user is left.`];
      return [
        `${signal}: stopped while POST ${url} was under way, so Bracken may have created ${username}.`,
        inNpmStart
          ? `Next: look for ${username} in Bracken and delete it there: nothing records it, so step 6 would not (the next npm start picks a new name).`
          : `Next: look for ${username} in Bracken and delete it there before you run step 4 again (it picks a new name).`,
      ];
    };
    const answer = await sayIfInterrupted(interrupted, () =>
      api.createUser({ username, password }, { 409: conflictHint(username, config.testUsername !== undefined) }).catch((error: unknown) => {
        throw noteUserMayExist(error, username);
      }),
    );
    userkey = userkeyFrom(answer, { method: 'POST', url, username, secrets: [password] });
    log(`Bracken answered: ${answer.status} ${printable(answer.data, [password])}`);
  }

  // Remember the user so step 6 can delete it.
  const record: UserState = { apiUrl: config.apiUrl, domainkey: config.domainkey, userkey, username, createdAt: new Date(now()).toISOString() };
  {
    await state.write('user', record);
    log(`Created: ${username} (userkey ${userkey}), saved in ${state.path(STATE_FILES.user)}.`);
  }

  // Only a promise Bracken will keep: a delivery goes out only for an active subscription.
  if (status.kind === 'active' || status.kind === 'elsewhere') {
    const where = status.kind === 'active' && status.listenerUrl !== undefined ? 'the listener (step 3)' : status.subscription.target;
    log(
      status.kind === 'active'
        ? `The User_Create webhook should now arrive at ${where}.`
        : `The User_Create webhook goes to ${status.subscription.target}, not to the running listener at ${status.listenerUrl}: step 5 will not find it there.`,
    );
    next(
      status.kind === 'active'
        ? 'npm run step:5 to verify it.'
        : 'npm run step:2 to point the subscription at the listener, then npm run step:6 and this step again.',
    );
  } else {
    log(`No User_Create webhook will be sent for ${username}, so step 5 has nothing to verify.`);
    next('npm run step:2 to subscribe, then npm run step:6 and this step again.');
  }
  return record;
}

/** What to do when Bracken says `username` exists: a name from TEST_USERNAME can be unset; a random one just retried. */
function conflictHint(username: string, fromSetting: boolean): string {
  return fromSetting
    ? `A user called ${username} already exists: unset TEST_USERNAME in .env for a unique name, or delete that user first.`
    : `Bracken says a user called ${username} already exists, though step 4 made that name up at random: run step 4 again for another name; if it keeps happening, the answer above says what Bracken means.`;
}

/** "Subscription: ..." as found, saying whether a User_Create will be sent and where. */
function subscriptionLine(status: SubscriptionStatus): string {
  switch (status.kind) {
    case 'none':
      return `Subscription: none (${status.why}), so no User_Create webhook will be sent; npm run step:2 subscribes.`;
    case 'inactive':
      return `Subscription: ${status.subscription.event} -> ${status.subscription.target} is inactive (step 6 switched it off), so no User_Create webhook will be sent; npm run step:2 switches it on again.`;
    case 'elsewhere':
      return `Subscription: ${status.subscription.event} -> ${status.subscription.target}, active, but not to the running listener at ${status.listenerUrl}.`;
    case 'active':
      return `Subscription: ${status.subscription.event} -> ${status.subscription.target}, active.`;
  }
}

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: {},
    usage: [
      'Usage: npm run step:4',
      'Step 4: creates a test user through the API, which fires User_Create to the subscribed listener, and records it in user.json.',
      '  -h, --help   this help',
    ].join('\n'),
    hint: 'Step 4 takes no options: npm run step:4',
  });
  if (options !== undefined) await runStep('Step 4: create a test user (fires User_Create)', () => recordingStep('step:4', () => createTestUser()));
}
