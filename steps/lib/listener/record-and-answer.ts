/**
 * The last thing the listener does with every request: store its record (journal on disk, or a
 * committed Postgres row), THEN send the answer, then print one log line and update the live feed.
 * Keeping this order in one place is what makes "every answered request is stored" true.
 */
import { WorkbenchError } from '../core/index.ts';
import { acknowledgement, type DeliveryRecord, type DeliveryView, listenerAnswer } from '../delivery/index.ts';
import type { DeliveryStore } from '../store/index.ts';
import { type Arrival, noteAnswerCloses } from './arrival.ts';
import type { Decision } from './decision.ts';
import { formatLogLine, signatureHeaderOf } from './log-line.ts';
import { errorBody, REPLIES, type Send } from './replies.ts';
import type { StoreOutage } from './store-outage.ts';

export interface AnswerContext {
  readonly scheme: string;
  /** The header the scheme signs in (for the log line's shortened signature), when it says. */
  readonly signatureHeader: string | undefined;
  readonly store: Pick<DeliveryStore, 'append' | 'unavailableCode'>;
  readonly log: (line: string) => void;
  readonly onRecorded: (view: DeliveryView) => void;
  /** When to say what to do about a store that fails (once per outage). */
  readonly storeOutage: StoreOutage;
}

/**
 * Stores the decision, then answers. Resolves to the stored view (for a new verified delivery the
 * store may have found it a duplicate), or undefined when storing failed: then an acknowledgement
 * is turned into 503 `journal_unavailable` / `store_unavailable` (never ack what is not stored, so
 * the sender retries) and a refusal is still sent.
 */
export async function recordAndAnswer(ctx: AnswerContext, arrival: Arrival, decision: Decision, send: Send): Promise<DeliveryView | undefined> {
  const accepted = decision.kind === 'accepted';
  const headers = { 'content-type': 'application/json; charset=utf-8', ...(accepted ? undefined : decision.headers) };
  // The answer is part of the record, stored before it is sent (the store makes a retry's say "duplicate").
  const answer = listenerAnswer(headers, accepted ? acknowledgement(arrival.id, false) : errorBody(decision.code, decision.error));
  const record: DeliveryRecord = {
    id: arrival.id,
    receivedAt: arrival.receivedAt,
    method: arrival.method,
    url: arrival.url,
    remoteAddress: arrival.remoteAddress,
    headers: pairs(arrival.rawHeaders),
    body: decision.body ?? Buffer.alloc(0),
    bodyBytes: decision.bodyBytes,
    status: decision.status,
    verdict: decision.verdict,
    code: decision.code,
    reason: decision.reason,
    scheme: ctx.scheme,
    // Known whenever the signature verified, also for a body refused after that.
    secretIndex: decision.verdict === 'valid' ? decision.secretIndex : undefined,
    event: accepted ? decision.event : undefined,
    // Time to decide, before the journal write: the record must be complete before it is written.
    ackMs: round(performance.now() - arrival.t),
    dedupeKey: accepted ? decision.dedupeKey : undefined,
    response: answer,
  };
  // Known before the store is awaited: bytes the client sent after this request are reported meanwhile.
  if (!accepted && decision.headers?.connection === 'close') noteAnswerCloses(arrival);
  const handler = accepted ? decision.handler : 'not-run';
  const signature = signatureHeaderOf(arrival.headers, ctx.signatureHeader);
  let stored: DeliveryView;
  try {
    stored = await ctx.store.append(record, handler);
  } catch (error) {
    const code = ctx.store.unavailableCode;
    const { status, error: message } = REPLIES[code];
    send(accepted ? status : decision.status, headers, accepted ? errorBody(code, message) : answer.body);
    const shown = accepted ? { ...record, status, code, reason: message } : record;
    // The stores reject with coded errors (a full disk, Postgres gone), each with what to do.
    const coded = error instanceof WorkbenchError ? error : undefined;
    const why = `${(error as Error).message}${coded === undefined ? '' : ` [${coded.code}]`}`;
    ctx.log(`${formatLogLine(shown, performance.now() - arrival.t, signature)} (NOT stored: ${why})`);
    if (ctx.storeOutage.failed() && coded?.hint !== undefined) ctx.log(`Next: ${coded.hint}`);
    return undefined;
  }
  ctx.storeOutage.stored();
  send(decision.status, headers, (stored.response ?? answer).body);
  const ackMs = round(performance.now() - arrival.t);
  ctx.log(formatLogLine(stored, ackMs, signature));
  const view: DeliveryView = { ...stored, ackMs };
  ctx.onRecorded(view);
  return view;
}

/** `rawHeaders` is a flat [name, value, name, value...] list; the record keeps it as pairs. */
function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
