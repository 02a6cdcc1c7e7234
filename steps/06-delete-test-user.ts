/**
 * Step 6: clean up ("Clean up" in the tutorial): delete the test user from step 4 and deactivate
 * every subscription step 2 made.
 *
 * The tutorial's deleteUser.py is "identical to newUser.py except the url". Bracken does not
 * document that URL, so the route is the workbench's choice, configurable with
 * BRACKEN_USER_DELETE_ROUTE. Each subscription recorded in webhook.json is switched off by merging
 * it again with `active: false`. Safe to run twice: what is already gone (404, or 410 Gone) counts as done.
 * A request that fails does not stop the others; the state files keep what was not removed, so a
 * rerun retries just that, and the step exits 1 with each failure's error.
 *
 * Run: npm run step:6
 */
import {
  resolveStepDeps,
  type StepDeps,
  describeTarget,
  isMain,
  runStep,
  readCommandLine,
  printable,
  STATE_FILES,
  belongsToConfigured,
  DEFAULT_USER_DELETE_ROUTE,
  STEP_PRECONDITION,
  StepError,
} from './lib/core/index.ts';
import { cleanupAttempts, createBrackenApi, failureNote, userDeletePath, webhookMergePath } from './lib/bracken/index.ts';
import { recordingStep } from './lib/record/index.ts';

export type DeleteTestUserDeps = StepDeps;

/**
 * What step 6 did: each part is `done` (a request succeeded), `gone` (404 or 410) or `nothing` (no record).
 * `webhook` sums up the subscriptions: `nothing` when none was active, `gone` when every one was, else `done`.
 */
export interface CleanupResult {
  readonly user: 'done' | 'gone' | 'nothing';
  readonly webhook: 'done' | 'gone' | 'nothing';
}

/**
 * Deletes the recorded test user and deactivates every active subscription recorded in webhook.json.
 * Each is attempted even when another failed; then what failed is thrown (one error, or an
 * AggregateError of several), and user.json and webhook.json still record what was not removed.
 */
export async function deleteTestUser(deps: DeleteTestUserDeps = {}): Promise<CleanupResult> {
  // Prerequisites: user.json (step 4) and webhook.json (step 2), both optional; they must belong
  // to the Bracken and domain configured now, or this would act on the wrong one.
  const step = resolveStepDeps(deps);
  const { config, state, log } = step;
  log(describeTarget(config));
  const user = await state.read('user');
  const webhook = await state.read('webhook');
  const active = webhook?.subscriptions.filter((s) => s.active) ?? [];
  for (const [file, record] of [
    [STATE_FILES.user, user],
    [STATE_FILES.webhook, active.length > 0 ? webhook : undefined],
  ] as const) {
    if (record !== undefined && !belongsToConfigured(record, config)) {
      throw new StepError(
        STEP_PRECONDITION,
        `${file} belongs to ${record.apiUrl} (domainkey ${record.domainkey}), not to ${config.apiUrl} (domainkey ${config.domainkey}).`,
        {
          hint: `Switch .env back to that Bracken to clean it up, or delete ${state.path(file)} if you removed it yourself.`,
        },
      );
    }
  }
  // Creating the client sends nothing: with nothing recorded, a second run sends no request at all.
  const api = createBrackenApi(step);
  // Every request is attempted even when one before it failed: a user delete refused must not leave
  // the subscriptions sending to a listener that is gone. What failed stays recorded, for a rerun.
  const cleanup = cleanupAttempts();
  const left: string[] = [];

  // "use this to delete the 'Test-User' you have created during this tutorial"
  let userResult: CleanupResult['user'] = 'nothing';
  if (user === undefined) log('User: none recorded, nothing to delete.');
  else {
    const route = config.userDeleteRoute;
    log(`${route.method} ${config.apiUrl}${userDeletePath(route, user)} (BRACKEN_USER_DELETE_ROUTE)`);
    const outcome = await cleanup.attempt(
      () => api.deleteUser(user),
      (answer) => log(`Bracken answered: ${answer.status} ${printable(answer.data)}`),
    );
    if (typeof outcome === 'object') {
      left.push(`the test user ${user.username}`);
      log(`User: ${user.username} (userkey ${user.userkey}) NOT deleted ${failureNote(outcome)}; ${STATE_FILES.user} kept.`);
    } else {
      userResult = outcome === 'done' ? 'done' : 'gone';
      await state.remove('user');
      log(
        outcome === 'done'
          ? `User: deleted ${user.username} (userkey ${user.userkey}).`
          : `User: ${user.username} was already gone (${outcome}), which is fine.`,
      );
      // Only a 404: a route that does not exist answers 404, while a 410 says the user existed and is gone.
      if (outcome === 404 && config.mode === 'bracken' && `${route.method} ${route.path}` === DEFAULT_USER_DELETE_ROUTE) {
        log(`Check: the delete route is the workbench's guess, so a 404 may mean the route is wrong; confirm in Bracken that ${user.username} is gone.`);
      }
    }
  }

  // "run the webhook again": the same merge, with active: false, so Bracken stops sending; once per subscription.
  let webhookResult: CleanupResult['webhook'] = 'nothing';
  if (webhook === undefined || active.length === 0)
    log(`Subscription: ${webhook === undefined ? 'none recorded' : 'already inactive'}, nothing to deactivate.`);
  else {
    const { secret } = webhook;
    let record = webhook;
    const results: ('done' | 'gone')[] = [];
    for (const { event, target } of active) {
      log(`PUT ${config.apiUrl}${webhookMergePath(config.domainkey, event)} {target, secret, active: false}`);
      const result = await cleanup.attempt(
        () => api.mergeWebhook(event, { target, secret, active: false }),
        (answer) => log(`Bracken answered: ${answer.status} ${printable(answer.data, [secret])}`),
      );
      if (typeof result === 'object') {
        left.push(`the subscription ${event} -> ${target}`);
        log(`Subscription: ${event} -> ${target} NOT deactivated ${failureNote(result)}; ${STATE_FILES.webhook} keeps it active.`);
        continue;
      }
      results.push(result === 'done' ? 'done' : 'gone');
      // Kept, marked inactive (after each merge, so a failure later leaves the record true): a later
      // step 2 reuses the secret, so a listener that is still running keeps verifying.
      record = { ...record, subscriptions: record.subscriptions.map((s) => (s.event === event ? { ...s, active: false } : s)) };
      await state.write('webhook', record);
      log(
        `Subscription: ${result === 'done' ? `deactivated ${event} -> ${target}` : `${event} ${result === 404 ? 'not found' : 'gone'} (${result}), nothing to deactivate`}; ${STATE_FILES.webhook} kept, marked inactive.`,
      );
    }
    webhookResult = results.every((r) => r === 'gone') ? 'gone' : 'done';
  }

  if (left.length > 0) {
    const [it, just] = left.length === 1 ? ['it', 'that'] : ['them', 'those'];
    log(`Not clean, still in Bracken: ${left.join('; ')}. The state files keep ${it}, so running step 6 again retries just ${just}.`);
    cleanup.throwFailures();
  }
  log(`Clean: no test user, no active subscription. ${STATE_FILES.token} stays until it expires; delete ${state.dir} to remove all local state.`);
  return { user: userResult, webhook: webhookResult };
}

if (isMain(import.meta.url)) {
  const options = readCommandLine({
    options: {},
    usage: [
      'Usage: npm run step:6',
      'Step 6: deletes the test user step 4 created and deactivates the webhook subscriptions step 2 made.',
      '  -h, --help   this help',
    ].join('\n'),
    hint: 'Step 6 takes no options: npm run step:6',
  });
  if (options !== undefined) await runStep('Step 6: delete the test user and deactivate the webhooks', () => recordingStep('step:6', () => deleteTestUser()));
}
