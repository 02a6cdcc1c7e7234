/**
 * The payload check: a parsed body becomes a typed BrackenEvent, or the check names the field that
 * does not fit its (provisional) shape. It never throws, whatever it is given.
 */
import { describe, expect, it } from 'vitest';
import { eventSummary, formatFields } from '../../steps/lib/bracken/event-fields.ts';
import { checkBrackenEvent } from '../../steps/lib/bracken/events.ts';
import { EVENT_NAMES } from '../../steps/lib/core/event-names.ts';
import { EXAMPLE_EVENTS } from '../helpers/events.ts';

const PROVISIONAL = "(provisional, the sandbox's guess)";

describe('checkBrackenEvent(payload)', () => {
  it.each(EVENT_NAMES)('accepts a %s in its shape and hands it back as is', (name) => {
    expect(checkBrackenEvent(EXAMPLE_EVENTS[name])).toEqual({ ok: true, event: EXAMPLE_EVENTS[name] });
  });

  it.each([
    ['a missing field', { ...EXAMPLE_EVENTS.Module_Complete, mark: undefined }, 'mark', '"mark" is missing'],
    ['a string for a number', { ...EXAMPLE_EVENTS.Module_Complete, mark: '100' }, 'mark', '"mark" is a string ("100"), not a finite number'],
    ['a number that is not finite', { ...EXAMPLE_EVENTS.Module_Start, modulekey: Number.NaN }, 'modulekey', '"modulekey" is NaN, not a finite number'],
    ['null where null is not allowed', { ...EXAMPLE_EVENTS.Module_Expiring, expires: null }, 'expires', '"expires" is null, not a string'],
    ['a string for a boolean', { ...EXAMPLE_EVENTS.Module_Complete, passed: 'true' }, 'passed', '"passed" is a string ("true"), not a boolean'],
    [
      'an object for a nullable string',
      { ...EXAMPLE_EVENTS.Module_Complete, certificate: {} },
      'certificate',
      '"certificate" is an object, not a string or null',
    ],
    ['a course event without its coursekey', { ...EXAMPLE_EVENTS.Course_Expired, coursekey: undefined }, 'coursekey', '"coursekey" is missing'],
  ])('names the field for %s', (_label, payload, field, what) => {
    const name = (payload as { eventname: string }).eventname;
    expect(checkBrackenEvent(payload)).toEqual({
      ok: false,
      eventname: name,
      field,
      message: `The payload does not fit the ${name} shape ${PROVISIONAL}: ${what}.`,
    });
  });

  it.each([
    ['an array', [], '$', 'the payload is an array, not a JSON object'],
    ['null', null, '$', 'the payload is null, not a JSON object'],
    ['a string', 'User_Create', '$', 'the payload is a string ("User_Create"), not a JSON object'],
    ['no event name', { userkey: 1 }, 'eventname', '"eventname" is missing'],
    ['a number for the event name', { eventname: 7 }, 'eventname', '"eventname" is a number, not a string'],
    ['an unknown event', { eventname: 'User_Update' }, 'eventname', `"eventname" is "User_Update", not one of Bracken's events (${EVENT_NAMES.join(', ')})`],
  ])('names what is wrong for %s, without throwing', (_label, payload, field, what) => {
    expect(checkBrackenEvent(payload)).toEqual({
      ok: false,
      eventname: undefined,
      field,
      message: `The payload does not fit a Bracken event ${PROVISIONAL}: ${what}.`,
    });
  });

  it('quotes at most 40 characters of an unknown event name: a 1 MB name does not make a 1 MB log line', () => {
    const check = checkBrackenEvent({ eventname: `User_${'x'.repeat(1_000_000)}` });
    expect(check).toMatchObject({
      ok: false,
      field: 'eventname',
      message: `The payload does not fit a Bracken event ${PROVISIONAL}: "eventname" is "User_${'x'.repeat(35)}…", not one of Bracken's events (${EVENT_NAMES.join(', ')}).`,
    });
  });

  it("takes keys and the event name in any letter case, handing back Bracken's spelling, and keeps unknown fields", () => {
    const payload = { EventName: 'module_start', DomainKey: 1, UserKey: 2, UserName: 'x', Timestamp: 't', ModuleKey: 3, extra: true };
    const check = checkBrackenEvent(payload);
    expect(check.ok && check.event).toMatchObject({
      eventname: 'Module_Start',
      domainkey: 1,
      userkey: 2,
      username: 'x',
      timestamp: 't',
      modulekey: 3,
      extra: true,
    });
  });
});

describe('eventSummary(payload) and formatFields', () => {
  it("gives a Module_Complete's key fields in a fixed order", () => {
    const summary = eventSummary(EXAMPLE_EVENTS.Module_Complete);
    expect(summary.eventname).toBe('Module_Complete');
    expect(summary.problem).toBeUndefined();
    expect(formatFields(summary.fields)).toBe(
      'userkey 1001, username "Test-User-1", modulekey 2001, passed true, mark 100, certificate "http://127.0.0.1:4010/sandbox/certificates/2002", expires "2026-01-01T12:00:00.000Z"',
    );
  });

  it('cuts long strings to 120 characters: a signed payload with a 1 MB username or event name does not make a 1 MB Event: line', () => {
    const long = 'x'.repeat(1_000_000);
    const fits = eventSummary({ ...EXAMPLE_EVENTS.User_Create, username: long });
    expect(fits.fields).toEqual([
      ['userkey', '1001'],
      ['username', `"${'x'.repeat(120)}…"`],
    ]);
    expect(eventSummary({ eventname: long }).eventname).toBe(`${'x'.repeat(120)}…`);
  });

  it('still shows what a payload that does not fit has, with the problem', () => {
    const summary = eventSummary({ EventName: 'User_Create', UserKey: '7' });
    expect(summary).toEqual({
      eventname: 'User_Create',
      fields: [['userkey', '"7"']],
      problem: `The payload does not fit the User_Create shape ${PROVISIONAL}: "domainkey" is missing.`,
    });
  });
});
