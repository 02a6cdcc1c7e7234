/**
 * The handler step 3 runs for each verified delivery: one handler per event family, each getting
 * its event typed (handlePerEvent), as a receiver of your own would be laid out. The tutorial only
 * looks at the payload in ngrok's inspector; these print what a real handler would act on, and
 * where it would act:
 *
 * - onUser (User_Create, User_Delete): provision or remove the user in your system;
 * - onProgress (Module_Start): note that a user started a module;
 * - onCompletion (Module_Complete, Course_Complete): issue or record the certificate;
 * - onExpiry (Module_/Course_Expiring, _Expired): remind the user, or mark the certificate lapsed;
 * - default: a payload that does not fit the provisional shapes (logged with the field at fault).
 *
 * The payloads are the sandbox's provisional shapes (bracken/events.ts): Bracken documents none.
 * These only log, so they never wait; a real one that calls out passes the run's signal on, so a
 * run past HANDLER_TIMEOUT_MS stops where it hangs: `await fetch(url, { signal: delivery.signal })`.
 *
 * @example
 * startListener({ ..., handler: sampleHandler(console.log) });
 * // → handled User_Create mwrq… by onUser: user 1001 "Test-User-k3v9x0qa"
 */
import type {
  CourseCompleteEvent,
  CourseExpiredEvent,
  CourseExpiringEvent,
  ModuleCompleteEvent,
  ModuleExpiredEvent,
  ModuleExpiringEvent,
  UserCreateEvent,
  UserDeleteEvent,
} from '../bracken/index.ts';
import { handlePerEvent, type EventHandler } from './per-event-handler.ts';
import type { DeliveryHandler, WebhookDelivery } from './worker.ts';

type Log = (line: string) => void;

/** The sample handlers, one per event family, printing through `log`. */
export function sampleHandler(log: Log): DeliveryHandler {
  const say = (handler: string, delivery: WebhookDelivery, eventname: string, what: string) =>
    log(`handled ${eventname} ${delivery.id}${delivery.recovered ? ' (again, from the journal)' : ''} by ${handler}: ${what}`);

  const onUser = (event: UserCreateEvent | UserDeleteEvent, delivery: WebhookDelivery) =>
    say('onUser', delivery, event.eventname, `${user(event)}${event.eventname === 'User_Delete' ? ' was deleted' : ''}`);

  const onProgress: EventHandler<'Module_Start'> = (event, delivery) =>
    say('onProgress', delivery, event.eventname, `${user(event)} started module ${event.modulekey}`);

  const onCompletion = (event: ModuleCompleteEvent | CourseCompleteEvent, delivery: WebhookDelivery) => {
    const what = event.eventname === 'Module_Complete' ? `module ${event.modulekey}` : `course ${event.coursekey}`;
    if (event.eventname === 'Module_Complete' && !event.passed) {
      return say('onCompletion', delivery, event.eventname, `${user(event)} did not pass ${what} (mark ${event.mark}): no certificate`);
    }
    const mark = event.eventname === 'Module_Complete' ? ` with mark ${event.mark}` : '';
    say(
      'onCompletion',
      delivery,
      event.eventname,
      `${user(event)} completed ${what}${mark}; certificate ${event.certificate ?? '(none)'}${until(event.expires)}`,
    );
  };

  const onExpiry = (event: ModuleExpiringEvent | ModuleExpiredEvent | CourseExpiringEvent | CourseExpiredEvent, delivery: WebhookDelivery) => {
    const what = 'modulekey' in event ? `module ${event.modulekey}` : `course ${event.coursekey}`;
    const when = event.eventname.endsWith('_Expired') ? `expired ${event.expires}` : `expires ${event.expires}`;
    say('onExpiry', delivery, event.eventname, `the certificate of ${user(event)} for ${what} ${when}: ${event.certificate}`);
  };

  return handlePerEvent(
    {
      User_Create: onUser,
      User_Delete: onUser,
      Module_Start: onProgress,
      Module_Complete: onCompletion,
      Course_Complete: onCompletion,
      Module_Expiring: onExpiry,
      Module_Expired: onExpiry,
      Course_Expiring: onExpiry,
      Course_Expired: onExpiry,
      default: (delivery) => say('default', delivery, delivery.event ?? '(no event name)', 'not a Bracken event the sample handlers know (see the line above)'),
    },
    { log },
  );
}

/** `user 1001 "Test-User-ab12"`. */
function user(event: { readonly userkey: number; readonly username: string }): string {
  return `user ${event.userkey} ${JSON.stringify(event.username)}`;
}

function until(expires: string | null): string {
  return expires === null ? ', never expires' : `, expires ${expires}`;
}
