/**
 * `POST /webhooks`, in the order that keeps it safe: read the exact bytes (size limit, deadline),
 * verify the signature over them, and only then decode and parse JSON. A verified delivery is
 * journaled as `pending` before the 2xx, and handed to the worker after it.
 *
 * An empty body is verified like any other (verification always comes first): unsigned it gets
 * 401 `missing_signature`; correctly signed it gets 400 `empty_body`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryView } from '../delivery/index.ts';
import { headerValue, type Scheme, type VerifyInput } from '../signature/index.ts';
import type { Arrival } from './arrival.ts';
import { readRawBody } from './body.ts';
import { refusal, signatureRefusal, signedRefusal, type Accepted, type Decision } from './decision.ts';
import { type Dedupe, dedupeKeyOf, type FirstCopy } from './dedupe.ts';
import { eventNameOf, isJsonMediaType, parseJsonBody } from './payload.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { OK_CODE, REPLIES, sendTo } from './replies.ts';

export interface ReceiveContext extends AnswerContext {
  readonly verifier: Scheme;
  readonly secrets: () => readonly string[] | Promise<readonly string[]>;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly explainMismatch: ((input: VerifyInput) => string | undefined) | undefined;
  /** False when no handler is configured: verified deliveries are then `not-run`, and not deduplicated. */
  readonly hasHandler: boolean;
  readonly dedupe: Dedupe;
  /** Called once the answer to a `pending` delivery has gone out (or the client left). */
  readonly onAcknowledged: (view: DeliveryView, received: { body: Buffer; payload: unknown }) => void;
}

export async function receiveWebhook(ctx: ReceiveContext, arrival: Arrival, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const read = await readRawBody(req, { limitBytes: ctx.bodyLimitBytes, deadline: arrival.t + ctx.requestTimeoutMs });
  if (read.kind === 'aborted') {
    ctx.log(`${arrival.receivedAt} ${arrival.method} ${arrival.url} - client went away after ${read.bytes} body bytes; nothing to answer`);
    return;
  }
  const send = sendTo(res);
  if (read.kind === 'timeout') {
    const reason = `The body was not complete after ${ctx.requestTimeoutMs} ms (${read.bytes} bytes received).`;
    await recordAndAnswer(ctx, arrival, refusal('request_timeout', { bodyBytes: read.bytes, reason, headers: { connection: 'close' } }), send);
    return;
  }
  if (read.kind === 'too_large') {
    const reason = `The body is ${read.bytes} bytes; the limit is ${ctx.bodyLimitBytes} (LISTEN_BODY_LIMIT).`;
    const headers: Record<string, string> = read.closeConnection ? { connection: 'close' } : {};
    await recordAndAnswer(ctx, arrival, refusal('body_too_large', { bodyBytes: read.bytes, reason, headers }), send);
    return;
  }
  const { decision, settleStored } = await decide(ctx, arrival, read.body);
  let view: DeliveryView | undefined;
  try {
    view = await recordAndAnswer(ctx, arrival, decision, send);
  } finally {
    // Duplicates of this delivery waited for this: stored, they are duplicates; not, the next is new.
    settleStored?.(view !== undefined);
  }
  if (decision.kind === 'accepted' && decision.handler === 'pending' && view !== undefined) {
    let handed = false;
    const handOver = () => {
      if (!handed) ctx.onAcknowledged(view, { body: read.body, payload: decision.payload });
      handed = true;
    };
    // After the answer is flushed. A client that left while the journal was being written has
    // already closed the response: hand over now, or the handler would wait for the next restart.
    if (res.writableFinished || res.destroyed) handOver();
    else res.once('finish', handOver).once('close', handOver);
  }
}

interface Decided {
  readonly decision: Decision;
  /** For a new delivery (handler `pending`): tell the duplicates waiting on it whether it was stored. */
  readonly settleStored?: (stored: boolean) => void;
}

async function decide(ctx: ReceiveContext, arrival: Arrival, body: Buffer): Promise<Decided> {
  const bodyBytes = body.length;
  let secrets: readonly string[];
  try {
    secrets = await ctx.secrets();
  } catch (error) {
    return { decision: refusal('secret_unavailable', { bodyBytes, body, reason: `${REPLIES.secret_unavailable.error} ${(error as Error).message}` }) };
  }
  const input: VerifyInput = { body, headers: arrival.headers, secrets, url: arrival.url };
  const verified = ctx.verifier.verify(input);
  if (!verified.ok) {
    const explanation = explain(ctx, input);
    return { decision: signatureRefusal(verified, explanation === undefined ? verified.message : `${verified.message} ${explanation}`, body) };
  }
  const secretIndex = verified.secretIndex;
  if (bodyBytes === 0) return { decision: signedRefusal('empty_body', secretIndex, { bodyBytes, body }) };
  const contentType = headerValue(arrival.headers, 'content-type');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    const reason = `${REPLIES.unsupported_media_type.error} (got ${JSON.stringify(contentType.slice(0, 100))})`;
    return { decision: signedRefusal('unsupported_media_type', secretIndex, { bodyBytes, body, reason }) };
  }
  let payload: unknown;
  try {
    payload = parseJsonBody(body);
  } catch (error) {
    const why = error instanceof SyntaxError ? error.message : 'it is not valid UTF-8';
    return { decision: signedRefusal('invalid_json', secretIndex, { bodyBytes, body, reason: `${REPLIES.invalid_json.error} (${why})` }) };
  }
  const event = eventNameOf(payload);
  const dedupeKey = dedupeKeyOf(arrival.headers, body, ctx.verifier.name);
  const copy: FirstCopy | undefined = ctx.hasHandler ? await ctx.dedupe.firstCopyOrClaim(dedupeKey, arrival.id) : undefined;
  const first = copy?.duplicateOf;
  const which = secretIndex === 0 ? 'the current secret' : `previous secret #${secretIndex}`;
  const reason =
    first === undefined
      ? `Signature verified with ${which}.`
      : `Signature verified with ${which}; a duplicate of ${first} (same ${dedupeKey.split(':')[0]}), so the handler does not run again.`;
  const handler: Accepted['handler'] = copy === undefined ? 'not-run' : first !== undefined ? 'duplicate' : 'pending';
  const decision: Accepted = {
    kind: 'accepted',
    status: 200,
    verdict: 'valid',
    code: OK_CODE,
    reason,
    body,
    bodyBytes,
    payload,
    secretIndex,
    event,
    dedupeKey,
    handler,
  };
  return copy === undefined || copy.duplicateOf !== undefined ? { decision } : { decision, settleStored: copy.settleStored };
}

function explain(ctx: ReceiveContext, input: VerifyInput): string | undefined {
  try {
    return ctx.explainMismatch?.(input);
  } catch {
    return undefined; // a diagnosis hook must never turn a 401 into a crash
  }
}
