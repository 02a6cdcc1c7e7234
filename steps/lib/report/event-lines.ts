/**
 * Step 5's "Event:" line: the event's name and key fields, and, when the payload does not fit its
 * provisional shape (bracken/events.ts), which field does not.
 *
 * @example
 * describeEvent(body, 'Module_Complete')
 * // ['Event: Module_Complete (userkey 1001, username "Test-User-ab12", modulekey 2001, passed true, ...)']
 */
import { eventSummary, formatFields } from '../bracken/index.ts';

/** The lines for `body`; none when it is not JSON. `named` is the listener's name for the event, used when the payload has no `eventname`. */
export function describeEvent(body: Buffer, named: string | undefined): string[] {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const summary = eventSummary(payload);
  const fields = summary.fields.length === 0 ? '' : ` (${formatFields(summary.fields)})`;
  const lines = [`Event: ${summary.eventname ?? named ?? '(no event name)'}${fields}`];
  if (summary.problem !== undefined) lines.push(`Payload: ${summary.problem}`);
  return lines;
}
