/**
 * The deliveries half of `npm run sandbox -- --compare` (compare.ts): each recorded delivery (first
 * copies, not a sender's retries) is paired with one of the sandbox's of the same event, and their
 * headers (those the sender sets, not the connection's or a tunnel's), Authorization scheme, JSON
 * fields and JSON spacing are compared. A recorded event the replayed calls do not fire (one that
 * happens in Bracken's portal) is held against the payload the sandbox would send for it.
 *
 * @example
 * const { differences } = compareDeliveries(recording, receivedBySandboxTarget, encodePayload);
 */
import { EVENT_SHAPES } from '../../steps/lib/bracken/index.ts';
import type { Recording } from '../../steps/lib/record/index.ts';
import { deliveryHeaders } from './attempt.ts';
import { type Comparison, type Difference, headerDifferences, parseBody, shapeDifferences } from './compare-shapes.ts';
import { canonicalEventName, type EventName, type EventPayload } from './events.ts';

/** A delivery the comparison's receiver got from the sandbox. */
export interface Received {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Delivery headers that belong to the connection or a tunnel on the way, not to the sender. */
const TRANSPORT = /^(host|content-length|connection|keep-alive|transfer-encoding|x-forwarded-.*|x-real-ip|forwarded|via|ngrok-.*|x-original-.*)$/;

/** Pairs each recorded delivery (first copies) with one of the sandbox's of the same event, and compares them. */
export function compareDeliveries(recording: Recording, received: readonly Received[], encode: (payload: EventPayload) => string): Comparison {
  const compared: string[] = [];
  const differences: Difference[] = [];
  const left = [...received];
  for (const { meta, body } of recording.deliveries.filter(({ meta }) => !meta.answered.duplicate)) {
    const event = canonicalEventName(meta.event ?? '');
    const at = left.findIndex((delivery) => eventOf(delivery.body) === event);
    const [ours] = at < 0 ? [] : left.splice(at, 1);
    const where = `${meta.event ?? 'unknown'} delivery`;
    compared.push(where);
    const recorded = parseBody(body.toString('utf8'), 'application/json');
    // Not fired by the replayed calls (it happens in Bracken's portal): the payload the sandbox would send for it.
    const sandboxBody = ours?.body ?? (event === undefined ? undefined : Buffer.from(encode(samplePayload(event, recorded))));
    if (sandboxBody === undefined) {
      differences.push({ where, what: `the recording has a delivery of ${JSON.stringify(meta.event)}, an event the sandbox does not know` });
      continue;
    }
    const sandboxHeaders = ours?.headers ?? Object.fromEntries(deliveryHeaders({ authorization: 'HMACSHA256 (signature)' }));
    const recordedHeaders = Object.fromEntries(meta.headers.map(([name, value]) => [name.toLowerCase(), value]));
    differences.push(
      ...headerDifferences(where, recordedHeaders, sandboxHeaders, { values: ['content-type', 'user-agent'], ignore: (name) => TRANSPORT.test(name) }),
      ...authorizationDifference(where, recordedHeaders.authorization, sandboxHeaders.authorization),
      ...shapeDifferences(where, recorded, parseBody(sandboxBody.toString('utf8'), 'application/json')),
    );
    const sandboxText = sandboxBody.toString('utf8');
    const sandboxWhitespace = /^\s|[{,:[]\s|\s[}\],:]|\s$/.test(sandboxText.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
    if (meta.original.json && meta.original.whitespace !== sandboxWhitespace) {
      differences.push({
        where,
        what: `the JSON is ${meta.original.whitespace ? 'spaced' : 'compact'} in the recording, ${sandboxWhitespace ? 'spaced' : 'compact'} in the sandbox's`,
      });
    }
    if (meta.original.nonAscii === 'raw' || meta.original.nonAscii === 'both') {
      differences.push({ where, what: 'non-ASCII characters are raw UTF-8 in the recording; the sandbox writes them as \\u escapes' });
    }
  }
  for (const extra of left) {
    differences.push({ where: `${eventOf(extra.body) ?? 'unknown'} delivery`, what: 'the sandbox sent this delivery, the recording has none like it' });
  }
  return { compared, differences };
}

function authorizationDifference(where: string, recorded: string | undefined, sandbox: string | undefined): Difference[] {
  const word = (value: string | undefined) => value?.split(/\s+/)[0] ?? '(none)';
  return word(recorded) === word(sandbox)
    ? []
    : [{ where, what: `the Authorization header starts with ${word(recorded)} in the recording, ${word(sandbox)} in the sandbox's` }];
}

/**
 * The payload the sandbox would send for `event`: the recorded value of each field the sandbox's
 * shape has where it fits that shape (a `null` certificate included), a value of the right type
 * otherwise, so only what really differs is reported.
 */
function samplePayload(event: EventName, recorded: unknown): EventPayload {
  const values: Record<string, unknown> = typeof recorded === 'object' && recorded !== null ? (recorded as Record<string, unknown>) : {};
  const fields = Object.entries<string>(EVENT_SHAPES[event]).map(([field, kind]) => {
    const [type, nullable] = kind.split('|');
    const value = values[field];
    if ((value === null && nullable === 'null') || typeof value === type) return [field, value];
    return [field, type === 'number' ? 1 : type === 'boolean' ? true : 'x'];
  });
  return { eventname: event, ...Object.fromEntries(fields) } as EventPayload;
}

function eventOf(body: Buffer): EventName | undefined {
  const payload = parseBody(body.toString('utf8'), 'application/json');
  if (typeof payload !== 'object' || payload === null) return undefined;
  const name = Object.entries(payload).find(([key]) => key.toLowerCase() === 'eventname')?.[1];
  return typeof name === 'string' ? canonicalEventName(name) : undefined;
}
