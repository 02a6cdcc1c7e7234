/**
 * The delivery step 5 checks, as it presents it: which one it takes from the journal, its headers
 * as the listener saw them, and its body as text.
 *
 * @example
 * const delivery = latestWebhookDelivery((await readJournal(journalDir(stateDir))).deliveries);
 * for (const line of describeBody(delivery, body, secrets)) log(line);
 */
import { WEBHOOK_PATH, scrubText } from '../core/index.ts';
import type { DeliveryView } from '../delivery/index.ts';
import { foldHeaders, type Headers } from '../signature/index.ts';

const BODY_PREVIEW_CHARS = 2000;

/** The newest delivery POSTed to the webhook path, else the newest of any kind. */
export function latestWebhookDelivery(deliveries: readonly DeliveryView[]): DeliveryView | undefined {
  const onPath = deliveries.filter((d) => d.method === 'POST' && d.url.split('?')[0] === WEBHOOK_PATH);
  return onPath.at(-1) ?? deliveries.at(-1);
}

/** The delivery's raw header pairs as the listener's `req.headers` held them. */
export function headersOf(delivery: DeliveryView): Headers {
  return foldHeaders(delivery.headers);
}

/** "Raw body (N bytes...)", the body as text, and a note when announced bytes were not kept. */
export function describeBody(delivery: DeliveryView, body: Buffer, secrets: readonly string[]): string[] {
  const lines = [`Raw body (${body.length} bytes, exactly as received):`, `  ${bodyPreview(body, secrets)}`];
  if (body.length === 0 && delivery.bodyBytes > 0) lines.push(`  (${delivery.bodyBytes} bytes were announced but not kept: ${delivery.reason})`);
  return lines;
}

/** The body as text (secrets scrubbed, long bodies cut), or a note when it is not UTF-8. */
function bodyPreview(body: Buffer, secrets: readonly string[]): string {
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
