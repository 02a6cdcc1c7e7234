/**
 * Firing events: every route that changes something (a user created or deleted, a module
 * completed, a certificate's clock moved) ends here. The deliveries each event gets (one per active
 * subscription) are saved with the change before any is sent, so nothing is sent that is not on
 * disk; then the delivery engine sends them, with its retries.
 *
 * @example
 * store.data.users.push(user);
 * const fired = await fireEvents({ store, engine, log }, [{ eventname: 'User_Create', domainkey, userkey, username, timestamp }]);
 * fired[0].deliveries // [{ id: 'm1x…', target: 'http://127.0.0.1:5000/webhooks' }]
 */
import type { DeliveryEngine } from './deliveries.ts';
import type { EventPayload } from './events.ts';
import type { Store } from './store.ts';

export interface FireContext {
  readonly store: Store;
  readonly engine: DeliveryEngine;
  readonly log: (line: string) => void;
}

/** One fired event: its payload and the deliveries it got (none without an active subscription). */
export interface Fired {
  readonly eventname: EventPayload['eventname'];
  readonly payload: EventPayload;
  readonly deliveries: readonly { readonly id: string; readonly target: string }[];
}

/** Queues `payloads`' deliveries, saves the store (the caller's changes too), then sends them. */
export async function fireEvents(context: FireContext, payloads: readonly EventPayload[]): Promise<Fired[]> {
  const { store, engine, log } = context;
  const queued = payloads.map((payload) => ({ payload, created: engine.enqueue(payload) }));
  await store.save();
  for (const { payload, created } of queued) {
    const what =
      created.length === 0 ? 'no active subscription, nothing to deliver' : `${created.length} ${created.length === 1 ? 'delivery' : 'deliveries'} queued`;
    log(`${payload.eventname} for userkey ${payload.userkey}: ${what}`);
  }
  for (const { created } of queued) for (const delivery of created) engine.schedule(delivery);
  return queued.map(({ payload, created }) => ({
    eventname: payload.eventname,
    payload,
    deliveries: created.map((delivery) => ({ id: delivery.id, target: delivery.target })),
  }));
}
