/**
 * `POST /webhooks`, in the order that keeps it safe: read the exact bytes (size limit, deadline),
 * verify the signature over them, and only then decode and parse JSON. A verified delivery is
 * stored as `pending` before the 2xx (the store claims its dedupe key), and handed to the
 * in-process worker after it (with Postgres, its job was queued in the same transaction instead).
 *
 * An empty body is verified like any other (verification always comes first): unsigned it gets
 * 401 `missing_signature`; correctly signed it gets 400 `empty_body`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DeliveryView, parseJsonBody } from '../delivery/index.ts';
import { headerText, headerValue, type Scheme, type VerifyInput } from '../signature/index.ts';
import { type Arrival, noteRefusedUnread } from './arrival.ts';
import { declaredLength, readRawBody } from './body.ts';
import { refusal, signatureRefusal, signedRefusal, type Accepted, type Decision, type Refused, type Rejection } from './decision.ts';
import { dedupeKeyOf } from './dedupe.ts';
import { awaitsContinue } from './expectation.ts';
import { codingsOf, eventNameOf, foreignCharsetOf, isJsonMediaType } from './payload.ts';
import { recordAndAnswer, type AnswerContext } from './record-and-answer.ts';
import { repeatedHeaderNote } from './repeated-header.ts';
import { OK_CODE, REPLIES, sendTo } from './replies.ts';

export interface ReceiveContext extends AnswerContext {
  readonly verifier: Scheme;
  readonly secrets: () => readonly string[] | Promise<readonly string[]>;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly explainMismatch: ((input: VerifyInput) => string | undefined) | undefined;
  /** False when no handler is configured: verified deliveries are then `not-run`, and not deduplicated. */
  readonly hasHandler: boolean;
  /** Called once the answer to a `pending` delivery has gone out (or the client left). */
  readonly onAcknowledged: (view: DeliveryView, received: { payload: unknown }) => void;
}

export async function receiveWebhook(ctx: ReceiveContext, arrival: Arrival, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const transferEncoding = req.headers['transfer-encoding'];
  const transferCodings = codingsOf(transferEncoding);
  // Only when chunked comes last: without it Node's parser cannot find the body's end and refuses
  // the request itself (400, client-error.ts), which must stay its one record.
  if (transferCodings.at(-1) === 'chunked' && transferCodings.length > 1) {
    // RFC 9112 §6.1: a transfer coding the server does not decode is a 501; the body is not read, so the connection closes.
    noteRefusedUnread(req);
    const reason = `The Transfer-Encoding is ${JSON.stringify(transferEncoding?.slice(0, 100))}: the listener takes chunked only, and decodes no other coding.`;
    await recordAndAnswer(ctx, arrival, refusal('not_implemented', { bodyBytes: 0, reason, headers: { connection: 'close' } }), sendTo(res));
    return;
  }
  if (req.httpVersion === '1.0' && req.headers['content-length'] === undefined && transferEncoding === undefined) {
    // Node takes no body from such a request (RFC 9112 §6.3): verifying an empty body would answer
    // 401 for a delivery whose bytes were sent and dropped. Say what is missing instead.
    await recordAndAnswer(ctx, arrival, refusal('length_required', { bodyBytes: 0, headers: { connection: 'close' } }), sendTo(res));
    return;
  }
  if (awaitsContinue(req)) {
    // The client sends its body only after a 100 Continue: a request refused whatever its body is, is refused unsent.
    const unsent = await refusalBeforeContinue(ctx, arrival, req);
    if (unsent !== undefined) {
      noteRefusedUnread(req);
      await recordAndAnswer(ctx, arrival, unsent, sendTo(res));
      return;
    }
    res.writeContinue();
  }
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
    await recordAndAnswer(ctx, arrival, tooLarge(ctx, read.bytes, read.closeConnection), send);
    return;
  }
  const decision = await decide(ctx, arrival, read.body);
  const view: DeliveryView | undefined = await recordAndAnswer(ctx, arrival, decision, send);
  if (decision.kind === 'accepted' && view?.handler === 'pending') {
    const received = { payload: decision.payload };
    // After the answer is flushed: a response emits 'close' once it has finished, and also when
    // its client left first. A client that left while the journal was being written has already
    // closed the response: hand over now, or the handler would wait for the next restart.
    if (res.writableFinished || res.destroyed) ctx.onAcknowledged(view, received);
    else res.once('close', () => ctx.onAcknowledged(view, received));
  }
}

/** 413 for a body of `bytes` (received or announced); `closeConnection` when the rest of it was not read. */
function tooLarge(ctx: ReceiveContext, bytes: number, closeConnection: boolean): Rejection {
  const reason = `The body is ${bytes} bytes; the limit is ${ctx.bodyLimitBytes} (LISTEN_BODY_LIMIT).`;
  return refusal('body_too_large', { bodyBytes: bytes, reason, headers: closeConnection ? { connection: 'close' } : {} });
}

/**
 * The answer for a request waiting for 100 Continue that no body could change: 413 for one
 * announced over the limit, and for one without the scheme's signature header the answer it would
 * get once its body was read: 401 missing_signature, or what the configured secrets earn first
 * (500 secret_unavailable, 401 malformed_secret). Undefined: invite the body.
 */
async function refusalBeforeContinue(ctx: ReceiveContext, arrival: Arrival, req: IncomingMessage): Promise<Refused | undefined> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > ctx.bodyLimitBytes) return tooLarge(ctx, declared, true);
  // Only for a scheme that signs into a header: Vonage's signature may be in the body.
  const header = ctx.verifier.signatureHeader?.name;
  if (header === undefined || headerText(arrival.headers, header) !== undefined) return undefined;
  const bodyBytes = declared ?? 0;
  const secrets = await loadSecrets(ctx, bodyBytes, NO_BODY);
  if ('kind' in secrets) return secrets;
  const verified = ctx.verifier.verify({ body: NO_BODY, headers: arrival.headers, secrets, url: arrival.url });
  // Neither depends on the body: a secret the scheme cannot use is refused before any header is read.
  if (verified.ok || (verified.reason !== 'missing_signature' && verified.reason !== 'malformed_secret')) return undefined;
  return signatureRefusal(verified, verified.message, NO_BODY, { bodyBytes });
}

/** The configured secrets, or the 500 secret_unavailable refusal when they cannot be loaded. */
async function loadSecrets(ctx: ReceiveContext, bodyBytes: number, body: Buffer): Promise<readonly string[] | Rejection> {
  try {
    return await ctx.secrets();
  } catch (error) {
    // The cause (a file's path, its parse error) is for the operator; the sender learns only that it failed.
    return refusal('secret_unavailable', { bodyBytes, body, detail: (error as Error).message });
  }
}

const NO_BODY = Buffer.alloc(0);

async function decide(ctx: ReceiveContext, arrival: Arrival, body: Buffer): Promise<Decision> {
  const bodyBytes = body.length;
  const secrets = await loadSecrets(ctx, bodyBytes, body);
  if ('kind' in secrets) return secrets;
  const input: VerifyInput = { body, headers: arrival.headers, secrets, url: arrival.url };
  const verified = ctx.verifier.verify(input);
  const contentEncoding = headerValue(arrival.headers, 'content-encoding');
  const codings = codingsOf(contentEncoding);
  if (!verified.ok) {
    // A sender that signs its JSON and then compresses it fails here: say which bytes were checked.
    const compressed =
      codings.length > 0
        ? `The body came with Content-Encoding: ${codings.join(', ')}; the signature is checked over the bytes as received, still compressed.`
        : undefined;
    // A scheme whose header is a list (Standard Webhooks) checks the entries of every line: no note.
    const repeated = ctx.verifier.signatureHeader?.list === true ? undefined : repeatedHeaderNote(arrival.rawHeaders, ctx.signatureHeader);
    const reason = [verified.message, explain(ctx, input), compressed, repeated].filter((part) => part !== undefined).join(' ');
    return signatureRefusal(verified, reason, body);
  }
  const secretIndex = verified.secretIndex;
  if (bodyBytes === 0) return signedRefusal('empty_body', secretIndex, { bodyBytes, body });
  if (codings.length > 0) {
    // RFC 9110 §15.5.16: an unsupported content coding is a 415, with Accept-Encoding saying what is taken.
    const reason = `The Content-Encoding is ${JSON.stringify(contentEncoding?.slice(0, 100))}: webhook deliveries are uncompressed JSON, signed as sent.`;
    return signedRefusal('unsupported_media_type', secretIndex, { bodyBytes, body, reason, headers: { 'accept-encoding': 'identity' } });
  }
  const contentType = headerValue(arrival.headers, 'content-type');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    const reason = `${REPLIES.unsupported_media_type.error} (got ${JSON.stringify(contentType.slice(0, 100))})`;
    return signedRefusal('unsupported_media_type', secretIndex, { bodyBytes, body, reason });
  }
  let payload: unknown;
  try {
    payload = parseJsonBody(body);
  } catch (error) {
    const charset = foreignCharsetOf(contentType);
    const labelled = charset === undefined ? '' : `; the Content-Type says charset=${charset.slice(0, 40)}, but JSON is always sent as UTF-8 (RFC 8259 8.1)`;
    const why = `${error instanceof SyntaxError ? error.message : 'it is not valid UTF-8'}${labelled}`;
    return signedRefusal('invalid_json', secretIndex, { bodyBytes, body, reason: `${REPLIES.invalid_json.error} (${why})` });
  }
  const event = eventNameOf(payload);
  const dedupeKey = dedupeKeyOf(arrival.headers, body, ctx.verifier.name);
  const which = secretIndex === 0 ? 'the current secret' : `previous secret #${secretIndex}`;
  const decision: Accepted = {
    kind: 'accepted',
    status: 200,
    verdict: 'valid',
    code: OK_CODE,
    reason: `Signature verified with ${which}.`,
    body,
    bodyBytes,
    payload,
    secretIndex,
    event,
    dedupeKey,
    // The store claims the dedupe key when it stores the record: it may find a duplicate.
    handler: ctx.hasHandler ? 'pending' : 'not-run',
  };
  return decision;
}

function explain(ctx: ReceiveContext, input: VerifyInput): string | undefined {
  try {
    return ctx.explainMismatch?.(input);
  } catch {
    return undefined; // a diagnosis hook must never turn a 401 into a crash
  }
}
