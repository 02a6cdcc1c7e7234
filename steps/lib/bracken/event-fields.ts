/**
 * The few fields of an event a person looks for first (who, which module or course, passed, the
 * certificate and when it expires), for step 5, the inspector and the sample handler. A payload
 * that does not fit the provisional shapes still shows what it has, with the check's message.
 *
 * @example
 * eventSummary(payload)
 * // { eventname: 'Module_Complete', fields: [['userkey', '1001'], ['username', '"Test-User-ab12"'], ['modulekey', '2001'], ...], problem: undefined }
 * formatFields(summary.fields) // 'userkey 1001, username "Test-User-ab12", modulekey 2001, passed true, mark 100, ...'
 */
import { isObject, quoteShort } from '../core/index.ts';
import { checkBrackenEvent } from './events.ts';

/** The fields shown, in this order, when the payload has them (domainkey and timestamp are left to the body view). */
const KEY_FIELDS = ['userkey', 'username', 'modulekey', 'coursekey', 'passed', 'mark', 'certificate', 'expires'] as const;

/** Long enough for a certificate URL; a longer string is cut (a signed payload can still carry a 1 MB username). */
const MAX_SHOWN = 120;

export interface EventSummary {
  /** Bracken's spelling when the payload names a known event, else what it says (or undefined). */
  readonly eventname: string | undefined;
  /** `[field, value as text]`: strings quoted, `null` as null. */
  readonly fields: readonly (readonly [string, string])[];
  /** Why the payload does not fit its provisional shape; undefined when it does. */
  readonly problem: string | undefined;
}

/** The key fields of a parsed payload, and whether it fits its event's shape. */
export function eventSummary(payload: unknown): EventSummary {
  const check = checkBrackenEvent(payload);
  const source: Record<string, unknown> = check.ok ? { ...check.event } : isObject(payload) ? lowerCaseKeys(payload) : {};
  const fields = KEY_FIELDS.filter((field) => isScalar(source[field])).map((field) => [field, show(source[field])] as const);
  const named = check.ok ? check.event.eventname : (check.eventname ?? (typeof source.eventname === 'string' ? cut(source.eventname) : undefined));
  return { eventname: named, fields, problem: check.ok ? undefined : check.message };
}

/** `userkey 1001, username "x", passed true`. */
export function formatFields(fields: EventSummary['fields']): string {
  return fields.map(([name, value]) => `${name} ${value}`).join(', ');
}

function show(value: unknown): string {
  return typeof value === 'string' ? quoteShort(value, MAX_SHOWN) : String(value);
}

/** A sender's string, cut to MAX_SHOWN characters: these lines summarise, the body view shows it all. */
function cut(value: string): string {
  return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function lowerCaseKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key.toLowerCase(), field]));
}
