/**
 * Bracken's nine webhook events, as Bracken spells them (docs.brackenlearning.com/docs/webhook-events;
 * shared/bracken-api.md §1.3). They live in core because configuration checks WEBHOOK_EVENTS against
 * them; the payload each one carries is bracken/events.ts.
 *
 * @example
 * canonicalEventName('module_complete') // 'Module_Complete'
 * canonicalEventName('Module-Complete') // undefined
 */

/** Every event Bracken documents, in the order its documentation lists them. */
export const EVENT_NAMES = [
  'User_Create',
  'User_Delete',
  'Module_Start',
  'Module_Complete',
  'Module_Expiring',
  'Module_Expired',
  'Course_Complete',
  'Course_Expiring',
  'Course_Expired',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

const BY_LOWER_CASE: ReadonlyMap<string, EventName> = new Map(EVENT_NAMES.map((name) => [name.toLowerCase(), name]));

/**
 * Bracken's spelling of `name`, matched case-insensitively (the tutorial's URL says `user_create`,
 * the docs say `User_Create`; both name the same event). Undefined for an unknown event.
 */
export function canonicalEventName(name: string): EventName | undefined {
  return BY_LOWER_CASE.get(name.toLowerCase());
}
