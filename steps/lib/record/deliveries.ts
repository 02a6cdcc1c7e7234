/**
 * A delivery the listener verified, as a recording keeps it.
 *
 * The body keeps Bracken's bytes, but for the values a recording must not keep: the username (and
 * any other personal field) and the domainkey are rewritten where they stand (json-in-place.ts),
 * so key order, spacing, number spellings and the escapes of every other string stay as Bracken
 * wrote them. What the ORIGINAL bytes showed of Bracken's serializer (compact or not, how it
 * writes non-ASCII, whether JSON.stringify gives the same bytes back) is noted beside them, since
 * a replaced username may have been the only string with such characters.
 *
 * The headers stay as received but for these: `Authorization` is computed again, with the
 * fixture secret (the webhook secret's placeholder), over the bytes as stored, so the delivery
 * still verifies; `Content-Length` is the stored body's length; a Host (or X-Forwarded-Host) that
 * named the tunnel names its placeholder; a cookie, or a header named for a credential, gets its
 * placeholder as a call's would (redactor.ts). The real signature cannot be kept: it would sign other
 * bytes, with a secret that is not written anywhere.
 *
 * @example
 * learnDelivery(redactor, view);
 * const { meta, body } = recordedDelivery(redactor, view, { run: 0, index: 1, secrets });
 * meta.signedWith // 'recorded-webhook-secret-1'
 */
import type { DeliveryView } from '../delivery/index.ts';
import { checkReserialization } from '../report/index.ts';
import { bracken } from '../signature/index.ts';
import { deliveryFileName, type RecordedDelivery } from './fixture.ts';
import { editJsonValues } from './json-in-place.ts';
import type { Redactor } from './redactor.ts';

/** Walks a delivery once so the redactor learns the values its payload holds. */
export function learnDelivery(redactor: Redactor, view: DeliveryView): void {
  editJsonValues(view.body.toString('utf8'), (key, value) => (key === undefined ? value : redactor.field(key, value)));
}

export interface DeliveryPlace {
  /** Index into about.json's runs. */
  readonly run: number;
  /** 1-based position in the recording (file names). */
  readonly index: number;
  /** The secrets the listener accepted when it verified, newest first (its `secretIndex` points into them). */
  readonly secrets: readonly string[];
}

/** The delivery's meta and stored bytes. */
export function recordedDelivery(redactor: Redactor, view: DeliveryView, place: DeliveryPlace): { meta: RecordedDelivery; body: Buffer } {
  const original = view.body;
  const text = original.toString('utf8');
  const edit = editJsonValues(
    text,
    (key, value) => (key === undefined ? (typeof value === 'string' ? redactor.text(value) : value) : redactor.field(key, value)),
    (key) => redactor.text(key),
  );
  // Not JSON (or not UTF-8): only known values are replaced, as text; bytes that are not UTF-8 stay as they are.
  const body =
    edit !== undefined ? Buffer.from(edit.text, 'utf8') : Buffer.from(text, 'utf8').equals(original) ? Buffer.from(redactor.text(text), 'utf8') : original;
  const reserialization = checkReserialization(original);

  const secret = place.secrets[view.secretIndex ?? 0] ?? place.secrets[0] ?? '';
  const signedWith = String(redactor.field('secret', secret));
  const signature = bracken.sign({ body, secret: signedWith }).authorization ?? '';
  const changedHeaders = new Set<string>();
  const headers = view.headers.map(([name, value]): [string, string] => {
    const lower = name.toLowerCase();
    const next = lower === 'authorization' ? signature : lower === 'content-length' ? String(body.length) : redactor.header(name, value);
    if (next !== value) changedHeaders.add(lower);
    return [name, next];
  });

  const bodyFile = deliveryFileName(place.index, view.event);
  const meta: RecordedDelivery = {
    run: place.run,
    id: view.id,
    event: view.event,
    receivedAt: view.receivedAt,
    method: view.method,
    url: redactor.text(view.url),
    headers,
    bodyFile,
    bodyBytes: body.length,
    signedWith,
    answered: { status: view.status, code: view.code, duplicate: view.handler === 'duplicate' },
    replaced: { fields: edit?.changed ?? (body.equals(original) ? [] : ['(text)']), headers: [...changedHeaders] },
    original: {
      bytes: original.length,
      json: edit !== undefined,
      whitespace: edit?.whitespace ?? false,
      nonAscii: edit?.nonAscii ?? 'none',
      reserializesExactly: reserialization.identical,
      reserializationChanges: reserialization.changes,
    },
  };
  return { meta, body };
}
