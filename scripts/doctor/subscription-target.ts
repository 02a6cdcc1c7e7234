/**
 * The subscriptions' target against the running listener's URL (listener.json): the "ngrok URL
 * changed" trap. A tunnel without NGROK_DOMAIN gets a new URL on each start, Bracken keeps sending
 * to yesterday's, and nothing arrives. Step 3 notes it when it starts; the doctor says it any time.
 */
import { STATE_FILES, StateError, openState, processIsRunning } from '../../steps/lib/core/index.ts';
import { subscriptionStatus } from '../../steps/lib/bracken/index.ts';
import { type Check, fail, ok, warn } from './check.ts';

export const subscriptionTargetCheck: Check = {
  id: 'subscription-target',
  async run({ config }) {
    const state = openState(config.stateDir);
    let webhook: Awaited<ReturnType<typeof state.read<'webhook'>>>;
    let listener: Awaited<ReturnType<typeof state.read<'listener'>>>;
    try {
      webhook = await state.read('webhook');
      listener = await state.read('listener');
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return fail(error.message, error.hint ?? 'Delete the file and run the step that writes it again.');
    }
    const running = listener !== undefined && processIsRunning(listener.pid) ? listener : undefined;
    const statuses = config.webhook.events.map((event) => ({ event, status: subscriptionStatus({ webhook, listener: running, config, event }) }));
    const data = { listener: running === undefined ? null : (running.publicUrl ?? running.localUrl) };

    const elsewhere = statuses.flatMap(({ event, status }) =>
      status.kind === 'elsewhere' ? [{ event, target: status.subscription.target, here: status.listenerUrl }] : [],
    );
    if (elsewhere.length > 0) {
      const what = elsewhere.map(({ event, target }) => `${event} sends to ${target}`).join(', ');
      return fail(
        `subscription points elsewhere: ${what}, but the running listener is at ${elsewhere[0]?.here ?? ''}`,
        'Run npm run step:2 again to point it at the listener (an ngrok URL changes on each start unless NGROK_DOMAIN is set).',
        data,
      );
    }
    const missing = statuses.filter(({ status }) => status.kind === 'none' || status.kind === 'inactive');
    if (missing.length > 0) {
      const why = missing.map(({ event, status }) => (status.kind === 'none' ? status.why : `the ${event} subscription is switched off (step 6)`)).join('; ');
      return warn(`no active subscription to compare: ${why}`, 'Run npm run step:2 to subscribe.', data);
    }
    const targets = [...new Set(statuses.flatMap(({ status }) => (status.kind === 'active' ? [status.subscription.target] : [])))].join(', ');
    if (running === undefined) {
      return warn(
        `subscribed (${targets}), but no listener is running to compare with (${STATE_FILES.listener})`,
        'Start the listener with npm run step:3, then npm run doctor again.',
        data,
      );
    }
    return ok(`subscription target ${targets} is the running listener's (pid ${running.pid})`, data);
  },
};
