/**
 * Every Bracken event end to end, no mocks: `triggerEvent` (npm run trigger's function) → the
 * sandbox's routes → a signed delivery → the listener, which verifies it → the event's own typed
 * handler (handlePerEvent). Then step 5 verifies the delivery with `--event`. And once as the
 * README runs it: `npm run trigger -- module_complete` while `npm run step:3` runs in its own process.
 */
import { describe, expect, it } from 'vitest';
import { triggerEvent } from '../../scripts/trigger/trigger.ts';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { listen } from '../../steps/03-listen-for-webhooks.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import type { BrackenEvent } from '../../steps/lib/bracken/events.ts';
import { EVENT_NAMES, type EventName } from '../../steps/lib/core/event-names.ts';
import { handlePerEvent, type EventHandlers } from '../../steps/lib/listener/per-event-handler.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { captureLog } from '../helpers/output.ts';
import { runScript, startScript } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';
import { sandboxRun } from './helpers.ts';

const ALL_EVENTS = EVENT_NAMES.map((name) => name.toLowerCase()).join(',');

describe('every event, trigger to typed handler', () => {
  it('each of the nine reaches its own handler, typed and verified, and step 5 verifies it', async () => {
    const { config, sandbox } = await sandboxRun({ WEBHOOK_EVENTS: ALL_EVENTS });
    const quiet = () => {};
    const handled: { handler: EventName | 'default'; eventname: string; event: BrackenEvent | undefined; verdict: string }[] = [];
    const handlers = Object.fromEntries(
      EVENT_NAMES.map((name) => [
        name,
        (event: BrackenEvent, delivery: { record: { verdict: string } }) =>
          void handled.push({ handler: name, eventname: event.eventname, event, verdict: delivery.record.verdict }),
      ]),
    ) as EventHandlers;
    const misfits = captureLog();
    const listening = await listen({
      config,
      log: quiet,
      handler: handlePerEvent(
        { ...handlers, default: (d, event) => void handled.push({ handler: 'default', eventname: d.event ?? '', event, verdict: d.record.verdict }) },
        { log: misfits.log },
      ),
    });
    onCleanup(() => listening.close());

    await subscribeWebhook({ config, log: quiet });
    const user = await createTestUser({ config, log: quiet });
    await until(() => handled.length === 1, 10_000);

    for (const name of EVENT_NAMES) {
      const out = captureLog();
      const result = await triggerEvent({ event: name.toUpperCase(), config, log: out.log });
      expect(result.event).toBe(name);
      const fired = result.fired.find((f) => f.eventname === name);
      expect(
        fired?.deliveries.map((d) => d.outcome),
        out.text(),
      ).toEqual(['delivered (200)']);
      await until(() => handled.some((h) => h.handler === name && h.event?.userkey === fired?.payload?.userkey), 10_000);
      // The user events trigger makes its own user; the learning events are about the one step 4 recorded.
      const recorded = name !== 'User_Create' && name !== 'User_Delete';
      expect(result.recordedUser).toBe(recorded);
      if (recorded) {
        const step5 = captureLog();
        const verified = await verifyLatestDelivery({ config, log: step5.log, event: name.toLowerCase() });
        expect(verified.delivery.event).toBe(name);
        expect(step5.lines).toContain('Match: yes, with the current secret.');
      }
    }
    await sandbox.whenIdle(10_000);
    await listening.listener.idle();

    expect(misfits.lines).toEqual([]);
    expect(handled.filter((h) => h.handler === 'default')).toEqual([]);
    // Every handler got only its own event, verified, in its shape.
    for (const h of handled) expect([h.handler, h.verdict]).toEqual([h.eventname, 'valid']);
    expect(new Set(handled.map((h) => h.handler))).toEqual(new Set(EVENT_NAMES));
    const mine = (name: EventName) => handled.filter((h) => h.handler === name && h.event?.userkey === user.userkey).map((h) => h.event);
    expect(mine('Module_Complete')[0]).toMatchObject({ eventname: 'Module_Complete', username: user.username, passed: true, mark: 100 });
    expect(mine('Course_Expired')[0]).toMatchObject({
      eventname: 'Course_Expired',
      username: user.username,
      certificate: expect.stringMatching(/\/sandbox\/certificates\/\d+$/),
    });
  });

  it('npm run trigger -- module_complete, with npm run step:3 in its own process: step 3 shows it verified and handled by its own handler', async () => {
    const { env, config } = await sandboxRun({ WEBHOOK_EVENTS: 'user_create,module_complete' });
    // Step 2 in this process (the subscription is not what this test is about): it records the secret step 3 reads.
    await subscribeWebhook({ config, log: () => {} });
    const listener = startScript('steps/03-listen-for-webhooks.ts', { env });
    await listener.waitFor(/Listening for webhooks at/);

    const trigger = await runScript('scripts/trigger.ts', { env, args: ['module_complete'] });
    expect(trigger.code, trigger.stdout + trigger.stderr).toBe(0);
    expect(trigger.stdout).toMatch(/^Created: user Trigger-User-[0-9a-z]{8} \(userkey \d+\), which fires User_Create$/m);
    expect(trigger.stdout).toMatch(/^Created: module \d+ "Module \d+" \(its certificates last 12 months\)$/m);
    expect(trigger.stdout).toMatch(/^Fired: Module_Complete \(userkey \d+, username "Trigger-User-[0-9a-z]{8}", modulekey \d+, passed true, mark 100, /m);
    expect(trigger.stdout).toMatch(/^ {2}delivery \S+ -> http:\/\/127\.0\.0\.1:\d+\/webhooks: delivered \(200\)$/m);
    expect(trigger.stdout).toContain('Next: npm run step:5 -- --latest');

    await listener.waitFor(/POST \/webhooks 200 valid ok Module_Complete/);
    await listener.waitFor(
      /handled Module_Complete \S+ by onCompletion: user \d+ "Trigger-User-[0-9a-z]{8}" completed module \d+ with mark 100; certificate http/,
    );
    const step5 = await runScript('steps/05-verify-delivery.ts', { env, args: ['--latest'] });
    expect(step5.code, step5.stdout + step5.stderr).toBe(0);
    expect(step5.stdout).toMatch(/^Event: Module_Complete \(userkey \d+/m);
    expect(step5.stdout).toContain('Match: yes');
  });
});
