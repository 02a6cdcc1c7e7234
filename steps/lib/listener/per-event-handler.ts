/**
 * A DeliveryHandler that runs one handler per Bracken event, each receiving its event typed:
 *
 *   handlePerEvent({ Module_Complete: issueCertificate, Course_Expiring: sendReminder, default: logIt })
 *
 * The payload is checked against its (provisional) shape first (bracken/events.ts). One that does
 * not fit is logged with the field at fault and handed to `default` untyped: a surprise in the
 * real Bracken's payload never crashes the receiver, and the delivery stays in the journal.
 *
 * @example
 * startListener({ ..., handler: handlePerEvent({ Module_Complete: (event) => issue(event.certificate) }, { log }) });
 */
import { type BrackenEvent, checkBrackenEvent, type EventOf } from '../bracken/index.ts';
import type { EventName } from '../core/index.ts';
import type { DeliveryHandler, WebhookDelivery } from './worker.ts';

/** Handles event `N`, typed; `delivery` has the id, the exact bytes and whether it is a re-run. */
export type EventHandler<N extends EventName> = (event: EventOf<N>, delivery: WebhookDelivery) => Promise<void> | void;

export type EventHandlers = { readonly [N in EventName]?: EventHandler<N> } & {
  /**
   * Runs for an event without a handler of its own (`event` typed), and for a payload that does not
   * fit its shape or names no known event (`event` undefined; the misfit is logged first).
   */
  readonly default?: (delivery: WebhookDelivery, event: BrackenEvent | undefined) => Promise<void> | void;
};

export interface PerEventOptions {
  /** Where a payload that does not fit is reported; default: nowhere. */
  readonly log?: (line: string) => void;
}

/** One DeliveryHandler over `handlers`, which may name any of the nine events and `default`. */
export function handlePerEvent(handlers: EventHandlers, options: PerEventOptions = {}): DeliveryHandler {
  const log = options.log ?? (() => {});
  return async (delivery) => {
    const check = checkBrackenEvent(delivery.payload);
    if (!check.ok) {
      log(`delivery ${delivery.id}${delivery.event === undefined ? '' : ` (${delivery.event})`}: ${check.message}`);
      await handlers.default?.(delivery, undefined);
      return;
    }
    // The lookup loses the link between the name and the payload type; checkBrackenEvent made them agree.
    const own = handlers[check.event.eventname] as ((event: BrackenEvent, delivery: WebhookDelivery) => Promise<void> | void) | undefined;
    if (own !== undefined) await own(check.event, delivery);
    else await handlers.default?.(delivery, check.event);
  };
}
