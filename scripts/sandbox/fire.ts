/**
 * Firing events: every route that changes something (a user created or deleted, a module
 * completed, a certificate's clock moved) ends here. The deliveries each event gets (one per active
 * subscription) are saved together with the change before any is sent (the engine's `publishAll`),
 * so nothing is sent that is not on disk; when that save fails, the deliveries and the caller's
 * change (`also.undo`) are both taken back, and the StateError reaches the route's 500: nothing
 * happened. Then the delivery engine sends them, with its retries.
 *
 * @example
 * store.data.users.push(user);
 * const fired = await fireEvents({ engine, log }, [{ eventname: 'User_Create', domainkey, userkey, username, timestamp }], { undo });
 * fired[0].deliveries // [{ id: 'm1x…', target: 'http://127.0.0.1:5000/webhooks' }]
 */
import type { DeliveryEngine } from './deliveries.ts';
import { type EventPayload, orderedPayload } from './events.ts';

export interface FireContext {
  readonly engine: DeliveryEngine;
  readonly log: (line: string) => void;
}

/** One fired event: its payload and the deliveries it got (none without an active subscription). */
export interface Fired {
  readonly eventname: EventPayload['eventname'];
  readonly payload: EventPayload;
  readonly deliveries: readonly { readonly id: string; readonly target: string }[];
}

/** Queues `payloads`' deliveries, saves them with the caller's change (undone with it on failure), then sends them. */
export async function fireEvents(context: FireContext, payloads: readonly EventPayload[], also?: { undo(): void }): Promise<Fired[]> {
  const { engine, log } = context;
  const created = await engine.publishAll(payloads, also);
  return payloads.map((payload, index) => {
    const deliveries = created[index] ?? [];
    const what =
      deliveries.length === 0
        ? 'no active subscription, nothing to deliver'
        : `${deliveries.length} ${deliveries.length === 1 ? 'delivery' : 'deliveries'} queued`;
    log(`${payload.eventname} for userkey ${payload.userkey}: ${what}`);
    // In the delivered bytes' order (events.ts), not the order the route built it in.
    return {
      eventname: payload.eventname,
      payload: orderedPayload(payload),
      deliveries: deliveries.map((delivery) => ({ id: delivery.id, target: delivery.target })),
    };
  });
}
