/**
 * How step 5 presents a journaled delivery: which one to take, its headers as the listener saw
 * them, the signature a sender holding the secret would have sent next to the one received, the
 * body as text, and what the tutorial's `JSON.stringify(req.body)` would have changed.
 *
 * @example
 * const delivery = latestWebhookDelivery((await readJournal(dir)).deliveries);
 */
import { WEBHOOK_PATH, scrubText } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';
import type { ReserializationCheck } from './reserialization.ts';
import { foldHeaders, headerValue, type Headers, type Scheme, type VerifyInput, sign, signsParameters } from '../signature/index.ts';

const BODY_PREVIEW_CHARS = 2000;

/** The newest delivery POSTed to the webhook path, else the newest of any kind. */
export function latestWebhookDelivery(deliveries: readonly DeliveryView[]): DeliveryView | undefined {
  const onPath = deliveries.filter((d) => d.method === 'POST' && d.url.split('?')[0] === WEBHOOK_PATH);
  return onPath.at(-1) ?? deliveries.at(-1);
}

/** Raw header pairs folded into lower-case names, repeated headers as arrays (as Node's req.headers). */
export function headersOf(delivery: DeliveryView): Headers {
  return foldHeaders(delivery.headers);
}

/** The signature header a sender holding `secret` would have sent for this body, as "Name: value". */
export function expectedSignature(scheme: Scheme, input: VerifyInput, secret: string, delivery: DeliveryView): string | undefined {
  const info = scheme.signatureHeader;
  if (info === undefined || signsParameters(scheme)) return undefined;
  const timestamp = scheme.timestampOf?.(input);
  const id = headerValue(input.headers, 'webhook-id');
  try {
    const headers = scheme.sign({ body: input.body, secret, ...(id === undefined ? {} : { id }), ...(timestamp === undefined ? {} : { now: () => timestamp * 1000 }) });
    const value = headers[info.name];
    return value === undefined ? undefined : `${displayName(delivery, info.name)}: ${value}`;
  } catch {
    return undefined; // a secret this scheme cannot use; verify() says why
  }
}

/** The signature header as it arrived, as "Name: value". */
export function receivedSignature(scheme: Scheme, delivery: DeliveryView): string | undefined {
  const name = scheme.signatureHeader?.name;
  const pair = delivery.headers.find(([header]) => header.toLowerCase() === name);
  return pair === undefined ? undefined : `${pair[0]}: ${pair[1]}`;
}

function displayName(delivery: DeliveryView, name: string): string {
  return delivery.headers.find(([header]) => header.toLowerCase() === name)?.[0] ?? name;
}

/** What re-serializing the body (the tutorial's JSON.stringify(req.body)) would change, and why raw bytes. */
export function describeReserialization(check: ReserializationCheck, scheme: Scheme, secret: string): string[] {
  const why =
    'Why raw bytes: the sender signs the exact bytes it sends; parsing and re-serializing can change whitespace, escapes, number spellings and duplicate keys, so this workbench hashes the raw body before parsing it.';
  if (!check.json) return ['Re-serialized: the body is not JSON, so JSON.stringify(req.body) (the tutorial) could not reproduce it at all.', why];
  if (check.identical) {
    return [`Re-serialized: JSON.stringify(JSON.parse(body)) gives back the same ${check.rawBytes} bytes, so the tutorial's check would agree on this delivery (by luck of the formatting).`, why];
  }
  const lines = [
    `Re-serialized: JSON.stringify(JSON.parse(body)) differs from the raw body (${check.rawBytes} bytes -> ${check.reserializedBytes} bytes): ${check.changes.join(', ') || 'different bytes'}.`,
  ];
  if (check.firstDifference) {
    lines.push(`  First difference at byte ${check.firstDifference.offset}: raw ${check.firstDifference.raw} vs re-serialized ${check.firstDifference.reserialized}.`);
  }
  if (scheme.name === 'bracken' && check.reserialized !== undefined) {
    lines.push(`  The tutorial's check would compute HMACSHA256 ${sign(secret, check.reserialized)} from those bytes: not what was signed.`);
  }
  lines.push(why);
  return lines;
}

/** The body as text (secrets scrubbed, long bodies cut), or a note when it is not UTF-8. */
export function bodyPreview(body: Buffer, secrets: readonly string[]): string {
  if (body.length === 0) return '(empty)';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return `(not UTF-8 text; base64: ${body.toString('base64').slice(0, 120)}${body.length > 90 ? '…' : ''})`;
  }
  const shown = scrubText(text, secrets);
  return shown.length > BODY_PREVIEW_CHARS ? `${shown.slice(0, BODY_PREVIEW_CHARS)}… (${shown.length - BODY_PREVIEW_CHARS} more characters)` : shown;
}
