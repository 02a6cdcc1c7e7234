/**
 * One payload of every Bracken event in the provisional shapes (steps/lib/bracken/events.ts), as
 * the sandbox writes them, for the tests of the payload check and the per-event handlers.
 */
import type { EventOf } from '../../steps/lib/bracken/events.ts';
import type { EventName } from '../../steps/lib/core/event-names.ts';

const USER = { domainkey: 15435, userkey: 1001, username: 'Test-User-1', timestamp: '2025-01-01T12:00:00.000Z' } as const;
const CERTIFICATE = 'http://127.0.0.1:4010/sandbox/certificates/2002';

export const EXAMPLE_EVENTS: { readonly [N in EventName]: EventOf<N> } = {
  User_Create: { eventname: 'User_Create', ...USER },
  User_Delete: { eventname: 'User_Delete', ...USER },
  Module_Start: { eventname: 'Module_Start', ...USER, modulekey: 2001 },
  Module_Complete: {
    eventname: 'Module_Complete',
    ...USER,
    modulekey: 2001,
    passed: true,
    mark: 100,
    certificate: CERTIFICATE,
    expires: '2026-01-01T12:00:00.000Z',
  },
  Module_Expiring: { eventname: 'Module_Expiring', ...USER, modulekey: 2001, certificate: CERTIFICATE, expires: '2025-01-31T12:00:00.000Z' },
  Module_Expired: { eventname: 'Module_Expired', ...USER, modulekey: 2001, certificate: CERTIFICATE, expires: '2025-01-01T12:00:00.000Z' },
  Course_Complete: { eventname: 'Course_Complete', ...USER, coursekey: 2003, certificate: CERTIFICATE, expires: null },
  Course_Expiring: { eventname: 'Course_Expiring', ...USER, coursekey: 2003, certificate: CERTIFICATE, expires: '2025-01-31T12:00:00.000Z' },
  Course_Expired: { eventname: 'Course_Expired', ...USER, coursekey: 2003, certificate: CERTIFICATE, expires: '2025-01-01T12:00:00.000Z' },
};
