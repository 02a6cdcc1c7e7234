/**
 * What the inspector's JSON API sends to the page: a short summary per delivery for the list,
 * and a detail view with headers redacted and the body decoded for reading (re-indented, and as
 * received), the answer the listener sent, and, when the handler forwards (LISTEN_FORWARD_TO),
 * each try at the user's app with the app's answer. The full signature and any other
 * credential-like header never leave the server; replay reads them from the record.
 *
 * @example
 * summarize(view)   // { id, receivedAt, event, eventFields: 'userkey 1001, username "x", modulekey 2001', verdict, ... }
 * describe(view).headers // [['Authorization', 'HMACSHA256 AbCd…(44 chars)'], ...]
 */
import type { DeliveryView, ForwardAttempt, ForwardResponse, HandlerState, Verdict } from '../delivery/index.ts';
import { isJson, prettyJson } from './pretty-json.ts';
import { redact } from '../core/index.ts';
import { eventSummary, formatFields } from '../bracken/index.ts';

/** One row of the delivery list. */
export interface DeliverySummary {
  readonly id: string;
  readonly receivedAt: string;
  readonly method: string;
  readonly url: string;
  readonly event: string | undefined;
  /** The event's key fields (`userkey 1001, username "x", modulekey 2001, passed true, ...`); '' when it has none. */
  readonly eventFields: string;
  /** Why the payload does not fit its event's provisional shape (bracken/events.ts); undefined when it does, or is not JSON. */
  readonly payloadProblem: string | undefined;
  readonly verdict: Verdict;
  readonly code: string;
  readonly reason: string;
  readonly status: number;
  readonly ackMs: number;
  readonly bodyBytes: number;
  readonly handler: HandlerState;
  readonly handlerError: string | undefined;
  /** Handler runs so far, when the store counts them (Postgres). */
  readonly attempts?: number | undefined;
  /** Which listener stored it, when several share the store (Postgres). */
  readonly receivedBy?: string | undefined;
  /** The last forward to the user's app, when the handler forwards. */
  readonly forward?: ForwardSummary | undefined;
}

/** A delivery's forwards, for its list row: how many, and what the last one got. */
export interface ForwardSummary {
  readonly attempts: number;
  /** The app's status on the last try; undefined when it got no answer. */
  readonly status: number | undefined;
  /** Why the last try got no answer. */
  readonly error: string | undefined;
}

/**
 * The body as the page shows it. `json` is re-indented (tokens unchanged), or when that would cost
 * too much, shown as sent with a `note` saying why, and `raw` is the text exactly as received (the
 * page's Raw view: whitespace, line ends and all); `text` is not JSON, or longer than the preview
 * (then not read as JSON); `binary` is not UTF-8. A body longer than BODY_PREVIEW_BYTES comes as
 * its first bytes only, with `shownBytes` saying how many: `GET /api/deliveries/:id/body` has them all.
 */
export type BodyView =
  | { readonly kind: 'empty' }
  /** Refused unread (413, 408): only its size, announced or received, is known. */
  | { readonly kind: 'not-kept'; readonly bytes: number }
  /** `raw` is absent when `text` is the body as sent already (not laid out, with a `note`): the same megabytes twice otherwise. */
  | { readonly kind: 'json'; readonly text: string; readonly raw?: string; readonly note?: string }
  | { readonly kind: 'text'; readonly text: string; readonly note?: string; readonly shownBytes?: number }
  | { readonly kind: 'binary'; readonly hex: string; readonly base64: string; readonly hexTruncated: boolean; readonly shownBytes?: number };

/** Everything the detail pane shows about one delivery. */
export interface DeliveryDetail extends DeliverySummary {
  readonly remoteAddress: string | undefined;
  readonly scheme: string;
  readonly secretIndex: number | undefined;
  readonly dedupeKey: string | undefined;
  /** Raw header pairs in arrival order, credential-like values shortened. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: BodyView;
  /** What the listener answered, as stored before it was sent; undefined for records from before answers were kept. */
  readonly response: AnswerView | undefined;
  /** The forwards to the user's app, when the handler forwards. */
  readonly forwards: ForwardsView | undefined;
}

/**
 * An HTTP answer as the page shows it: status, header pairs (credential-like values shortened),
 * body text, and whether only its start was kept (the app's answers: 4 KiB). The shape of a
 * forward's stored answer, which the listener's own answer is shown in too.
 */
export type AnswerView = ForwardResponse;

/** Every forward to the user's app the store still has, numbered from the first. */
export interface ForwardsView {
  /** Tries in all (older ones than `recent` are only counted). */
  readonly attempts: number;
  /** Oldest first. */
  readonly recent: readonly ForwardAttemptView[];
}

export interface ForwardAttemptView {
  /** 1 for the first try. */
  readonly number: number;
  readonly url: string;
  readonly at: string;
  readonly latencyMs: number;
  readonly response: AnswerView | undefined;
  readonly error: string | undefined;
}

/** The list sends at most this many deliveries, newest first (`total` says how many matched); the page keeps as many. */
export const LIST_LIMIT = 1000;
/** Hex dumps longer than this are cut: the base64 next to it still carries every byte of the preview. */
export const HEX_PREVIEW_BYTES = 4096;
/**
 * The detail shows at most this much of a body (the listener's default LISTEN_BODY_LIMIT, so at the
 * default nothing is cut). Whole, a 60 MiB body that is not UTF-8 went out as 80 MB of base64 in
 * JSON, built in step 3's process (the listener's) at each opening, and into one element of the page.
 */
export const BODY_PREVIEW_BYTES = 1024 * 1024;
/**
 * Bodies larger than this are not parsed for the list's key fields (every list and live update
 * summarizes every row); the list does not even read them (DeliveryQuery.bodiesUpToBytes).
 */
export const EVENT_FIELDS_MAX_BYTES = 64 * 1024;

// Headers that carry a signature, a token or a session: shown shortened, never in full.
const SENSITIVE_HEADER = /authorization|signature|token|secret|cookie|api[-_]?key|password/i;
// "<auth-scheme> <credentials>", as in `HMACSHA256 <base64>` or `Bearer <jwt>`.
const SCHEME_AND_VALUE = /^([A-Za-z][A-Za-z0-9._-]{0,31}) +(\S+)$/;

/** The list row for `view`. */
export function summarize(view: DeliveryView): DeliverySummary {
  return summaryOf(view, eventFieldsOf(view));
}

/** `summarize`, remembering each delivery's key fields by id. */
export type Summarizer = (view: DeliveryView) => DeliverySummary;

/** How many deliveries' key fields a Summarizer remembers (a few MB at most). */
const REMEMBERED_FIELDS = 10_000;

/**
 * A `summarize` that reads each delivery's body for its key fields once: a body never changes,
 * and 1000 rows of 64 KiB hostile JSON (21,000 `{}` each) took 3.5 s to parse at every list
 * request, in step 3's process, which is the listener's.
 */
export function createSummarizer(): Summarizer {
  const remembered = new Map<string, { readonly bodyBytes: number; readonly fields: EventFields }>();
  return (view) => {
    let known = remembered.get(view.id);
    if (known === undefined || known.bodyBytes !== view.bodyBytes) {
      known = { bodyBytes: view.bodyBytes, fields: eventFieldsOf(view) };
      remembered.set(view.id, known);
      const oldest = remembered.keys().next().value;
      if (remembered.size > REMEMBERED_FIELDS && oldest !== undefined) remembered.delete(oldest);
    }
    return summaryOf(view, known.fields);
  };
}

type EventFields = Pick<DeliverySummary, 'eventFields' | 'payloadProblem'>;

function summaryOf(view: DeliveryView, fields: EventFields): DeliverySummary {
  return {
    id: view.id,
    receivedAt: view.receivedAt,
    method: view.method,
    url: view.url,
    event: view.event,
    ...fields,
    verdict: view.verdict,
    code: view.code,
    reason: view.reason,
    status: view.status,
    ackMs: view.ackMs,
    bodyBytes: view.bodyBytes,
    handler: view.handler,
    handlerError: view.handlerError,
    ...(view.attempts === undefined ? {} : { attempts: view.attempts }),
    ...(view.receivedBy === undefined ? {} : { receivedBy: view.receivedBy }),
    ...(view.forward === undefined ? {} : { forward: forwardSummary(view.forward.attempts, view.forward.recent.at(-1)) }),
  };
}

function forwardSummary(attempts: number, last: ForwardAttempt | undefined): ForwardSummary {
  return { attempts, status: last?.response?.status, error: last?.error };
}

/** The detail pane for `view`: redacted headers and a readable body. */
export function describe(view: DeliveryView): DeliveryDetail {
  return {
    ...summarize(view),
    remoteAddress: view.remoteAddress,
    scheme: view.scheme,
    secretIndex: view.secretIndex,
    dedupeKey: view.dedupeKey,
    headers: redactHeaders(view.headers),
    body: bodyWasKept(view) ? bodyView(view.body, view.storedBodyBytes) : { kind: 'not-kept', bytes: view.bodyBytes },
    response:
      view.response === undefined
        ? undefined
        : { status: view.status, headers: redactHeaders(view.response.headers), body: view.response.body, bodyTruncated: false },
    forwards: view.forward === undefined ? undefined : forwardsView(view.forward.attempts, view.forward.recent),
  };
}

/** False for a body the listener refused unread (413, 408): only its size is known, so there is nothing to show, replay or download. */
export function bodyWasKept(view: DeliveryView): boolean {
  // A body read only in part (the detail's first MiB) was kept all the same: the store says how many bytes it holds.
  return (view.storedBodyBytes ?? view.body.length) === view.bodyBytes;
}

function forwardsView(attempts: number, recent: readonly ForwardAttempt[]): ForwardsView {
  const first = attempts - recent.length + 1;
  return {
    attempts,
    recent: recent.map((attempt, i) => ({
      number: first + i,
      url: attempt.url,
      at: attempt.at,
      latencyMs: attempt.latencyMs,
      response: attempt.response === undefined ? undefined : { ...attempt.response, headers: redactHeaders(attempt.response.headers) },
      error: attempt.error,
    })),
  };
}

function redactHeaders(pairs: readonly (readonly [string, string])[]): [string, string][] {
  return pairs.map(([name, value]) => [name, redactHeader(name, value)]);
}

/** The key fields of a JSON body, and whether it fits its event's shape; nothing for other bodies. */
function eventFieldsOf(view: DeliveryView): EventFields {
  const none = { eventFields: '', payloadProblem: undefined };
  if (view.bodyBytes === 0 || view.bodyBytes > EVENT_FIELDS_MAX_BYTES) return none;
  let payload: unknown;
  try {
    payload = JSON.parse(view.body.toString('utf8'));
  } catch {
    return none;
  }
  const summary = eventSummary(payload);
  return { eventFields: formatFields(summary.fields), payloadProblem: summary.problem };
}

/**
 * `value` as safe to show: unchanged for ordinary headers; for credential-like ones the scheme
 * word is kept (it tells which scheme was used) and the credential shortened, e.g.
 * `HMACSHA256 AbCd…(44 chars)`.
 */
export function redactHeader(name: string, value: string): string {
  if (!SENSITIVE_HEADER.test(name)) return value;
  const match = SCHEME_AND_VALUE.exec(value.trim());
  return match?.[1] !== undefined && match[2] !== undefined ? `${match[1]} ${redact(match[2])}` : redact(value);
}

/**
 * Decodes a body for display: JSON re-indented, other UTF-8 as is, anything else as hex and base64;
 * past BODY_PREVIEW_BYTES, only the start. `bytes` is the body, or its start when the store read
 * only that (`storedBytes` then says how long the body is).
 */
export function bodyView(bytes: Uint8Array, storedBytes: number = bytes.length): BodyView {
  if (bytes.length === 0) return { kind: 'empty' };
  const cut = storedBytes > BODY_PREVIEW_BYTES;
  const preview = bytes.subarray(0, BODY_PREVIEW_BYTES);
  // Only the preview is decoded (a 60 MiB body is never made into one string), and only it is
  // checked: it may be all the store read. A byte that is not UTF-8 makes the body binary (never
  // U+FFFD standing in for it); a character the cut splits is held back (`stream`), not an
  // error, so the preview ends on a whole one.
  const text = utf8Text(preview, cut);
  if (text === undefined) {
    const buffer = Buffer.from(preview.buffer, preview.byteOffset, preview.length);
    return {
      kind: 'binary',
      hex: hexDump(buffer.subarray(0, HEX_PREVIEW_BYTES)),
      base64: buffer.toString('base64'),
      hexTruncated: buffer.length > HEX_PREVIEW_BYTES,
      ...(cut ? { shownBytes: preview.length } : {}),
    };
  }
  // Only the start of a longer body is here: not JSON on its own, and not worth parsing whole.
  if (cut) return { kind: 'text', text, shownBytes: Buffer.byteLength(text) };
  return isJson(text) ? jsonView(text) : { kind: 'text', text };
}

/** `bytes` as text when they are UTF-8 (with `cut`, up to a character the cut splits); undefined otherwise. */
function utf8Text(bytes: Uint8Array, cut: boolean): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: cut });
  } catch {
    return undefined;
  }
}

/** `text` re-indented, or as sent with a note when the layout would be too deep or too large. */
function jsonView(text: string): BodyView {
  const pretty = prettyJson(text);
  return pretty.ok ? { kind: 'json', text: pretty.text, raw: text } : { kind: 'json', text, note: `not pretty-printed: ${pretty.reason}` };
}

function hexDump(bytes: Buffer): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex}`);
  }
  return lines.join('\n');
}
