/**
 * What a Bracken webhook delivery says, as a TypeScript type: `BrackenEvent`, a union told apart by
 * `eventname`, and `checkBrackenEvent`, which turns a parsed body into one or names the field that
 * does not fit.
 *
 * PROVISIONAL. Bracken documents the nine events (shared/bracken-api.md §1.3) but no payload at all
 * (§2, §7.3). These shapes are the sandbox's guess in Bracken's own naming (`eventname`, `domainkey`,
 * `userkey`, `username`, `modulekey`), with what the research found: the compat API's "vault"
 * transform reads `username`, a lesson key, `mark`, `passed` and `certificate` (a URL) out of a
 * Module_Complete. The sandbox sends exactly these shapes; the real Bracken may not. That is why a
 * payload that does not fit is reported, field by field, and never crashes a receiver.
 *
 * @example
 * const check = checkBrackenEvent(JSON.parse(body));
 * if (check.ok && check.event.eventname === 'Module_Complete') issueCertificate(check.event.certificate);
 * else if (!check.ok) log(check.message); // '... "mark" is a string, not a number'
 */
import { canonicalEventName, EVENT_NAMES, type EventName, quoteShort } from '../core/index.ts';

/** What every event carries: who it is about, in which domain, and when. */
interface EventBase<N extends EventName> {
  readonly eventname: N;
  readonly domainkey: number;
  readonly userkey: number;
  readonly username: string;
  /** ISO 8601 time the event happened. */
  readonly timestamp: string;
}

/** A certificate the event is about: its URL and when it expires. */
interface CertificateFields {
  readonly certificate: string;
  readonly expires: string;
}

export type UserCreateEvent = EventBase<'User_Create'>;
export type UserDeleteEvent = EventBase<'User_Delete'>;
export interface ModuleStartEvent extends EventBase<'Module_Start'> {
  readonly modulekey: number;
}
export interface ModuleCompleteEvent extends EventBase<'Module_Complete'> {
  readonly modulekey: number;
  readonly passed: boolean;
  /** The user's mark (the vault transform sends it; it calls it unused). */
  readonly mark: number;
  /** The certificate's URL; null when the user did not pass. */
  readonly certificate: string | null;
  /** When the certificate expires; null when there is none or it never expires. */
  readonly expires: string | null;
}
export interface ModuleExpiringEvent extends EventBase<'Module_Expiring'>, CertificateFields {
  readonly modulekey: number;
}
export interface ModuleExpiredEvent extends EventBase<'Module_Expired'>, CertificateFields {
  readonly modulekey: number;
}
export interface CourseCompleteEvent extends EventBase<'Course_Complete'> {
  readonly coursekey: number;
  readonly certificate: string;
  /** Null when the course certificate never expires. */
  readonly expires: string | null;
}
export interface CourseExpiringEvent extends EventBase<'Course_Expiring'>, CertificateFields {
  readonly coursekey: number;
}
export interface CourseExpiredEvent extends EventBase<'Course_Expired'>, CertificateFields {
  readonly coursekey: number;
}

/** A Bracken webhook payload (provisional shapes, see the top of this file). */
export type BrackenEvent =
  | UserCreateEvent
  | UserDeleteEvent
  | ModuleStartEvent
  | ModuleCompleteEvent
  | ModuleExpiringEvent
  | ModuleExpiredEvent
  | CourseCompleteEvent
  | CourseExpiringEvent
  | CourseExpiredEvent;

/** The payload of event `N`. */
export type EventOf<N extends EventName> = Extract<BrackenEvent, { eventname: N }>;

type KindOf<V> = V extends string ? 'string' : V extends number ? 'number' : V extends boolean ? 'boolean' : never;
/** A field's JSON type, `|null` when it may be null. Derived from the interfaces, so a table cannot drift from its type. */
type FieldKind<V> = null extends V ? `${KindOf<NonNullable<V>>}|null` : KindOf<V>;
type Shape<E> = { readonly [K in Exclude<keyof E, 'eventname'>]-?: FieldKind<E[K]> };

const USER = { domainkey: 'number', userkey: 'number', username: 'string', timestamp: 'string' } as const;
const CERTIFICATE = { certificate: 'string', expires: 'string' } as const;

/** Every field of every event, in the order the sandbox writes them. */
export const EVENT_SHAPES: { readonly [N in EventName]: Shape<EventOf<N>> } = {
  User_Create: USER,
  User_Delete: USER,
  Module_Start: { ...USER, modulekey: 'number' },
  Module_Complete: { ...USER, modulekey: 'number', passed: 'boolean', mark: 'number', certificate: 'string|null', expires: 'string|null' },
  Module_Expiring: { ...USER, modulekey: 'number', ...CERTIFICATE },
  Module_Expired: { ...USER, modulekey: 'number', ...CERTIFICATE },
  Course_Complete: { ...USER, coursekey: 'number', certificate: 'string', expires: 'string|null' },
  Course_Expiring: { ...USER, coursekey: 'number', ...CERTIFICATE },
  Course_Expired: { ...USER, coursekey: 'number', ...CERTIFICATE },
};

/** One field of a shape: its name, its JSON type, and `null` when null is allowed too. */
interface FieldCheck {
  readonly field: string;
  readonly type: string | undefined;
  readonly nullable: string | undefined;
}

/** EVENT_SHAPES as lists of checks, split once here rather than on every delivery a handler checks. */
const FIELD_CHECKS = new Map(
  EVENT_NAMES.map((name) => [
    name,
    Object.entries<string>(EVENT_SHAPES[name]).map(([field, kind]): FieldCheck => {
      const [type, nullable] = kind.split('|');
      return { field, type, nullable };
    }),
  ]),
);

export type EventCheck =
  | { readonly ok: true; readonly event: BrackenEvent }
  | {
      readonly ok: false;
      /** Bracken's spelling of the event, when the payload names a known one. */
      readonly eventname: EventName | undefined;
      /** The field that does not fit (`$` for the payload as a whole). */
      readonly field: string;
      /** One sentence naming the field and what is wrong with it. */
      readonly message: string;
    };

/**
 * `payload` as a BrackenEvent, or the first field that does not fit. Keys are matched in any letter
 * case (a .NET sender may write `UserKey`) and the event name in any case; the event handed back
 * uses Bracken's spelling for both. Fields the shape does not know are kept.
 */
export function checkBrackenEvent(payload: unknown): EventCheck {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return misfit(undefined, '$', `the payload is ${jsonType(payload)}, not a JSON object`);
  }
  const name = fieldOf(payload, 'eventname');
  if (typeof name !== 'string') return misfit(undefined, 'eventname', `"eventname" is ${name === undefined ? 'missing' : `${jsonType(name)}, not a string`}`);
  const eventname = canonicalEventName(name);
  if (eventname === undefined)
    return misfit(undefined, 'eventname', `"eventname" is ${quoteShort(name)}, not one of Bracken's events (${EVENT_NAMES.join(', ')})`);

  const event: Record<string, unknown> = { ...payload, eventname };
  for (const { field, type, nullable } of FIELD_CHECKS.get(eventname) ?? []) {
    const value = fieldOf(payload, field);
    const fits = (value === null && nullable === 'null') || (typeof value === type && (type !== 'number' || Number.isFinite(value)));
    if (!fits) {
      const expected = type === 'number' ? 'a finite number' : `a ${type}`;
      const what = value === undefined ? 'missing' : `${jsonType(value)}, not ${nullable === undefined ? expected : `${expected} or null`}`;
      return misfit(eventname, field, `"${field}" is ${what}`);
    }
    event[field] = value;
  }
  return { ok: true, event: event as unknown as BrackenEvent };
}

/**
 * `payload[field]`, or the value of a key that is `field` in another letter case (a .NET sender's
 * `UserKey`). A function of the module, not a closure made per check: tsx (esbuild's keepNames)
 * names every closure as it is made, ~0.45 µs each, and this runs for every delivery.
 */
function fieldOf(payload: object, field: string): unknown {
  if (field in payload) return (payload as Record<string, unknown>)[field];
  const key = Object.keys(payload).find((name) => name.toLowerCase() === field);
  return key === undefined ? undefined : (payload as Record<string, unknown>)[key];
}

function misfit(eventname: EventName | undefined, field: string, what: string): EventCheck {
  const shape = eventname === undefined ? 'a Bracken event' : `the ${eventname} shape`;
  return { ok: false, eventname, field, message: `The payload does not fit ${shape} (provisional, the sandbox's guess): ${what}.` };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${quoteShort(value)})`;
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
