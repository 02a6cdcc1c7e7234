/**
 * handlePerEvent: each event reaches its own handler, typed; the rest reach `default`; a payload
 * that does not fit is logged with the field at fault and never throws. And the sample handlers,
 * one per event family, as step 3 prints them.
 */
import { describe, expect, it } from 'vitest';
import type { BrackenEvent } from '../../steps/lib/bracken/events.ts';
import { EVENT_NAMES, type EventName } from '../../steps/lib/core/event-names.ts';
import { handlePerEvent, type EventHandlers } from '../../steps/lib/listener/per-event-handler.ts';
import { sampleHandler } from '../../steps/lib/listener/sample-handler.ts';
import type { WebhookDelivery } from '../../steps/lib/listener/worker.ts';
import { validDeliveryView } from '../helpers/delivery-record.ts';
import { EXAMPLE_EVENTS } from '../helpers/events.ts';
import { captureLog } from '../helpers/output.ts';

function delivery(payload: unknown, options: { id?: string; recovered?: boolean } = {}): WebhookDelivery {
  const id = options.id ?? 'd1';
  const event = typeof payload === 'object' && payload !== null && 'eventname' in payload ? String(payload.eventname) : undefined;
  return {
    id,
    event,
    payload,
    body: Buffer.from(JSON.stringify(payload) ?? ''),
    receivedAt: '2025-01-01T12:00:00.000Z',
    recovered: options.recovered ?? false,
    record: validDeliveryView(id),
    signal: new AbortController().signal,
  };
}

describe('handlePerEvent(handlers)', () => {
  it('hands each of the nine events to its own handler, typed, and nothing to default', async () => {
    const calls: [string, BrackenEvent][] = [];
    const handlers = Object.fromEntries(EVENT_NAMES.map((name) => [name, (event: BrackenEvent) => void calls.push([name, event])]));
    const handle = handlePerEvent({ ...handlers, default: () => void calls.push(['default', EXAMPLE_EVENTS.User_Create]) } as EventHandlers);
    for (const name of EVENT_NAMES) await handle(delivery(EXAMPLE_EVENTS[name]));
    expect(calls).toEqual(EVENT_NAMES.map((name) => [name, EXAMPLE_EVENTS[name]]));
  });

  it('an event without a handler of its own goes to default, typed', async () => {
    const seen: (BrackenEvent | undefined)[] = [];
    const handle = handlePerEvent({ Module_Complete: () => {}, default: (_delivery, event) => void seen.push(event) });
    await handle(delivery(EXAMPLE_EVENTS.Course_Expiring));
    expect(seen).toEqual([EXAMPLE_EVENTS.Course_Expiring]);
  });

  it('a payload that does not fit is logged naming the field, and goes to default untyped, not to its handler', async () => {
    const out = captureLog();
    const own: unknown[] = [];
    const fallback: unknown[] = [];
    const handle = handlePerEvent(
      { Module_Complete: (event) => void own.push(event), default: (d, event) => void fallback.push([d.id, event]) },
      { log: out.log },
    );
    await handle(delivery({ ...EXAMPLE_EVENTS.Module_Complete, passed: 'yes' }, { id: 'bad1' }));
    expect(own).toEqual([]);
    expect(fallback).toEqual([['bad1', undefined]]);
    expect(out.lines).toEqual([
      `delivery bad1 (Module_Complete): The payload does not fit the Module_Complete shape (provisional, the sandbox's guess): "passed" is a string ("yes"), not a boolean.`,
    ]);
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['a number', 42],
    ['an unknown event', { eventname: 'Lesson_Viewed' }],
  ])('never throws, with no default either, for %s', async (_label, payload) => {
    const out = captureLog();
    await expect(handlePerEvent({}, { log: out.log })(delivery(payload))).resolves.toBeUndefined();
    expect(out.lines).toHaveLength(1);
  });
});

describe('sampleHandler(log): one handler per event family', () => {
  const lines = async (name: EventName | 'bad', recovered = false): Promise<string[]> => {
    const out = captureLog();
    const payload = name === 'bad' ? { eventname: 'User_Create', userkey: 'x' } : EXAMPLE_EVENTS[name];
    await sampleHandler(out.log)(delivery(payload, { id: 'a1', recovered }));
    return out.lines;
  };

  it.each([
    ['User_Create', 'handled User_Create a1 by onUser: user 1001 "Test-User-1"'],
    ['User_Delete', 'handled User_Delete a1 by onUser: user 1001 "Test-User-1" was deleted'],
    ['Module_Start', 'handled Module_Start a1 by onProgress: user 1001 "Test-User-1" started module 2001'],
    [
      'Module_Complete',
      'handled Module_Complete a1 by onCompletion: user 1001 "Test-User-1" completed module 2001 with mark 100; certificate http://127.0.0.1:4010/sandbox/certificates/2002, expires 2026-01-01T12:00:00.000Z',
    ],
    [
      'Course_Complete',
      'handled Course_Complete a1 by onCompletion: user 1001 "Test-User-1" completed course 2003; certificate http://127.0.0.1:4010/sandbox/certificates/2002, never expires',
    ],
    [
      'Module_Expiring',
      'handled Module_Expiring a1 by onExpiry: the certificate of user 1001 "Test-User-1" for module 2001 expires 2025-01-31T12:00:00.000Z: http://127.0.0.1:4010/sandbox/certificates/2002',
    ],
    [
      'Course_Expired',
      'handled Course_Expired a1 by onExpiry: the certificate of user 1001 "Test-User-1" for course 2003 expired 2025-01-01T12:00:00.000Z: http://127.0.0.1:4010/sandbox/certificates/2002',
    ],
  ] as const)('%s', async (name, line) => {
    expect(await lines(name)).toEqual([line]);
  });

  it('a failed Module_Complete earns no certificate', async () => {
    const out = captureLog();
    await sampleHandler(out.log)(delivery({ ...EXAMPLE_EVENTS.Module_Complete, passed: false, mark: 40, certificate: null, expires: null }, { id: 'a1' }));
    expect(out.lines).toEqual(['handled Module_Complete a1 by onCompletion: user 1001 "Test-User-1" did not pass module 2001 (mark 40): no certificate']);
  });

  it('says when a delivery runs again from the journal, and what a payload that does not fit lacks', async () => {
    expect(await lines('User_Create', true)).toEqual(['handled User_Create a1 (again, from the journal) by onUser: user 1001 "Test-User-1"']);
    expect(await lines('bad')).toEqual([
      `delivery a1 (User_Create): The payload does not fit the User_Create shape (provisional, the sandbox's guess): "domainkey" is missing.`,
      'handled User_Create a1 by default: not a Bracken event the sample handlers know (see the line above)',
    ]);
  });
});
