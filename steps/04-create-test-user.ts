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
  generatePassword,
  generateUsername,
  printable,
  STATE_FILES,
  belongsToConfigured,
  STEP_PRECONDITION,
  StepError,
  type UserState,
} from './lib/core/index.ts';
import { createBrackenApi, userCreatePath, userkeyFrom } from './lib/bracken/index.ts';

export type CreateTestUserDeps = StepDeps;

/** Creates the test user, records it in user.json (no password), and returns the record. */
export async function createTestUser(deps: CreateTestUserDeps = {}): Promise<UserState> {
  // Prerequisites: an active subscription (step 2) and a listener (step 3) to see the webhook arrive.
  // A test user from an earlier run must be deleted first (step 6), or it would be forgotten here.
  const step = resolveStepDeps(deps);
  const { config, state, log, now } = step;
  log(describeTarget(config));
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
    const webhook = await state.read('webhook');
    const subscribed = webhook?.active === true && belongsToConfigured(webhook, config);
    log(
      subscribed
        ? `Subscription: ${webhook.event} -> ${webhook.target}`
        : 'Subscription: none recorded; run `npm run step:2` first or no webhook will be sent.',
    );
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
    const answer = await api.createUser(
      { username, password },
      { 409: `A user called ${username} already exists: unset TEST_USERNAME in .env for a unique name, or delete that user first.` },
    );
    userkey = userkeyFrom(answer, { method: 'POST', url, username, secrets: [password] });
    log(`Bracken answered: ${answer.status} ${printable(answer.data, [password])}`);
  }

  // Remember the user so step 6 can delete it.
  const record: UserState = { apiUrl: config.apiUrl, domainkey: config.domainkey, userkey, username, createdAt: new Date(now()).toISOString() };
  {
    await state.write('user', record);
    log(`Created: ${username} (userkey ${userkey}), saved in ${state.path(STATE_FILES.user)}.`);
    log('The User_Create webhook should now arrive at the listener (step 3). Next: npm run step:5 to verify it.');
  }
  return record;
}

if (isMain(import.meta.url)) {
  await runStep('Step 4: create a test user (fires User_Create)', () => createTestUser());
}
