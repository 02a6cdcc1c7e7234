/**
 * The answers the webhook listener gives, by stable `code`, and how they are written. Every refusal
 * is a JSON body `{"error": "<one sentence>", "code": "<code>"}`; the code is what a sender, a test
 * or the inspector branches on, and it is also the `code` stored in the journal record. An
 * accepted delivery gets `{"received":true,"id":"…"}` (with `"duplicate":true` for a retry).
 *
 * Signature failures are not listed here: their code is the scheme's own reason
 * (`missing_signature`, `wrong_scheme`, `malformed_signature`, `signature_mismatch`, `no_secret`...),
 * always with status 401.
 *
 * @example
 * const reply = REPLIES.body_too_large; // { status: 413, error: 'The body is larger than ...' }
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { VerifyReason } from '../signature/index.ts';

/** The code stored for an accepted delivery. */
export const OK_CODE = 'ok';

/** Status for any failed signature check (the code is the scheme's reason). */
export const SIGNATURE_FAILED_STATUS = 401;

interface Reply {
  readonly status: number;
  readonly error: string;
}

/** Every non-signature refusal, by code. The messages say what the sender should change. */
export const REPLIES = {
  /** Valid signature, empty body: there is no event to act on. */
  empty_body: { status: 400, error: 'The body is empty: a webhook delivery carries a JSON event.' },
  /** Valid signature, but the body is not UTF-8 JSON. */
  invalid_json: { status: 400, error: 'The body is not valid UTF-8 JSON.' },
  /**
   * Valid signature, but a Content-Type that says the body is not JSON (form data, text...), or a
   * Content-Encoding other than identity (the body is not decoded: the reason says which header).
   * A missing Content-Type is accepted: Bracken does not document the one it sends.
   */
  unsupported_media_type: { status: 415, error: 'The Content-Type is not JSON: webhook deliveries are application/json.' },
  /** Node's HTTP parser refused the request (a bad header byte, a broken chunk). */
  bad_request: { status: 400, error: 'The request is not valid HTTP.' },
  /** Any path other than the webhook route. */
  not_found: { status: 404, error: 'Nothing here: webhooks are received at POST /webhooks.' },
  /** The webhook route with a method other than POST. */
  method_not_allowed: { status: 405, error: 'Webhooks must be sent with POST.' },
  /**
   * An HTTP/1.0 POST with no Content-Length: HTTP/1.0 has no other way to announce a body (RFC 1945
   * 7.2.2), so Node reads none and whatever followed the headers is lost. Not read, so not verified.
   */
  length_required: { status: 411, error: 'An HTTP/1.0 request must announce its body with a Content-Length header.' },
  /** The client did not send its whole request in time. */
  request_timeout: { status: 408, error: 'The request was not received in time.' },
  /** The body (announced or received) is over the listener's limit. */
  body_too_large: { status: 413, error: 'The body is larger than the listener accepts (LISTEN_BODY_LIMIT).' },
  /** An `Expect` header other than 100-continue: the body is not read. */
  expectation_failed: { status: 417, error: 'The Expect header asks for something other than 100-continue, which the listener does not do.' },
  /** A Transfer-Encoding other than chunked (`gzip, chunked`): Node would de-chunk and hand over still-coded bytes. */
  not_implemented: { status: 501, error: 'The Transfer-Encoding uses a coding other than chunked, which the listener does not decode.' },
  /** The request headers are larger than Node accepts. */
  headers_too_large: { status: 431, error: 'The request headers are too large.' },
  /** The secrets could not be loaded (e.g. webhook.json is corrupt): nothing can be verified. */
  secret_unavailable: { status: 500, error: 'The listener could not load its webhook secret.' },
  /** An unexpected error in the listener itself. */
  internal_error: { status: 500, error: 'The listener failed on this request.' },
  /** The journal could not store the delivery, so it is not acknowledged: the sender should retry. */
  journal_unavailable: { status: 503, error: 'The delivery could not be stored; try again.' },
  /** Postgres (DATABASE_URL) is down or the commit failed, so it is not acknowledged: the sender should retry. */
  store_unavailable: { status: 503, error: 'The delivery could not be stored; try again.' },
} as const satisfies Record<string, Reply>;

type ReplyCode = keyof typeof REPLIES;

/**
 * What the sender is told for a failed signature whose scheme message speaks of the listener's own
 * configuration (how many secrets it tried, which one is unusable, that it has none): anyone can
 * send a request, so the answer says nothing about that. The record's reason and the log line keep
 * the scheme's full message for the operator. Every other failure is about the request itself, and
 * the sender gets the scheme's message as it is.
 */
export const SIGNATURE_ERRORS_FOR_SENDER: Readonly<Partial<Record<VerifyReason, string>>> = {
  signature_mismatch: 'The signature does not match the request: it was made with another secret, or over other bytes.',
  no_secret: 'The listener cannot verify signatures yet.',
  malformed_secret: 'The listener cannot verify signatures yet.',
};

/** Refusals made after the signature verified: their verdict stays `valid` (the sender is genuine). */
export type SignedRefusalCode = 'empty_body' | 'invalid_json' | 'unsupported_media_type';

/** Refusals made before (or without) a signature check: their verdict is `rejected`. */
export type RejectionCode = Exclude<ReplyCode, SignedRefusalCode>;

/** The JSON body of a refusal. */
export function errorBody(code: string, error: string): string {
  return JSON.stringify({ error, code });
}

/** Sends status, headers and body; returns once the answer is handed to the socket. */
export type Send = (status: number, headers: Readonly<Record<string, string>>, body: string) => void;

/**
 * A `Send` straight onto a socket that has no response object (a request Node's parser refused, a
 * CONNECT): the connection's last answer, so it ends the socket, and destroys it a second later
 * because a client that never reads its answer must not keep it.
 */
export function sendOnSocket(socket: Duplex): Send {
  return (status, headers, body) => {
    const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
    for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
    head.push(`content-length: ${Buffer.byteLength(body)}`);
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}

/**
 * A `Send` over an express/Node response. An answer given before the request's body has all
 * arrived (a 404 or 405, which never reads it) closes the connection: a keep-alive one would wait
 * for the rest of that body, and Node's request timeout would then refuse the same request a
 * second time, with a 408 the client never asked for and a second journal record.
 */
export function sendTo(res: ServerResponse): Send {
  return (status, headers, body) => {
    if (res.headersSent || res.destroyed) return;
    const closing = res.req.complete ? undefined : { connection: 'close' };
    res.writeHead(status, { ...headers, ...closing, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  };
}
