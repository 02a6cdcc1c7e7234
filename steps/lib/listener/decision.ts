/**
 * What the listener decided about one request, before it is journaled and answered: accepted (a
 * verified delivery with a JSON body, answered 200) or refused (answered with `{error, code}`).
 * The types say what is true of each: only an accepted delivery has a payload, an event, a dedupe
 * key and a handler to run; a signature that verified always says which secret matched, even when
 * the body is then refused; a refusal never runs the handler.
 *
 * @example
 * refusal('not_found', { bodyBytes: 0 })
 * // { kind: 'refused', verdict: 'rejected', status: 404, code: 'not_found', reason: 'Nothing here: ...', ... }
 */
import type { Scheme } from '../signature/index.ts';
import { REPLIES, SIGNATURE_ERRORS_FOR_SENDER, SIGNATURE_FAILED_STATUS, type OK_CODE, type RejectionCode, type SignedRefusalCode } from './replies.ts';

export type Decision = Accepted | Refused;

/** A verified delivery with a JSON body: stored, then answered 200 `{"received":true,"id"}`. */
export interface Accepted {
  readonly kind: 'accepted';
  readonly status: 200;
  readonly verdict: 'valid';
  readonly code: typeof OK_CODE;
  readonly reason: string;
  /** The exact body. */
  readonly body: Buffer;
  readonly bodyBytes: number;
  /** The parsed JSON, handed to the worker so it need not parse it again. */
  readonly payload: unknown;
  /** Which configured secret matched (0 = the current one). */
  readonly secretIndex: number;
  readonly event: string | undefined;
  /** What a sender's retry of this delivery shares with it (see dedupe.ts). */
  readonly dedupeKey: string;
  /** `pending`: its handler is to run (the store may find it a duplicate); `not-run`: no handler configured. */
  readonly handler: 'pending' | 'not-run';
}

/** A refused request, answered with its status and `{"error", "code"}`. Its handler never runs. */
export type Refused = SignedRefusal | SignatureRefusal | Rejection;

interface RefusalFields {
  readonly kind: 'refused';
  readonly status: number;
  /** Why, for the journal and the log (a signature failure adds its diagnosis here). */
  readonly reason: string;
  /** The sentence the sender gets in `{error, code}`. */
  readonly error: string;
  /** Bytes received, or announced when the body was not read. */
  readonly bodyBytes: number;
  /** Extra answer headers (`connection: close`, `allow: POST`). */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

/** The signature verified but the body cannot be used (empty, not JSON): the sender is genuine. */
export interface SignedRefusal extends RefusalFields {
  readonly verdict: 'valid';
  readonly code: SignedRefusalCode;
  readonly body: Buffer;
  readonly secretIndex: number;
}

/** The signature check failed: 401 with the scheme's reason as the code. */
export interface SignatureRefusal extends RefusalFields {
  readonly verdict: 'invalid';
  readonly code: SignatureFailure['reason'];
  readonly body: Buffer;
}

/** Refused before any signature check (404, 405, 408, 413...), or with no secret to check with. */
export interface Rejection extends RefusalFields {
  readonly verdict: 'rejected';
  readonly code: RejectionCode;
  /** The exact body, when it was read. */
  readonly body: Buffer | undefined;
}

/** A failed verification as the scheme reports it. */
type SignatureFailure = Extract<ReturnType<Scheme['verify']>, { ok: false }>;

interface RefusalOptions {
  readonly bodyBytes: number;
  /** More precise than the reply table's sentence; also what the sender gets. */
  readonly reason?: string;
  /** For the record and the log only, after the reason: what the sender must not read (a file's path, an error's text). */
  readonly detail?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A refusal before (or without) a signature check, with the reply's status and message. */
export function refusal(code: RejectionCode, options: RefusalOptions & { readonly body?: Buffer }): Rejection {
  const { status, error } = REPLIES[code];
  const told = options.reason ?? error;
  return {
    kind: 'refused',
    status,
    verdict: 'rejected',
    code,
    reason: options.detail === undefined ? told : `${told} ${options.detail}`,
    error: told,
    body: options.body,
    bodyBytes: options.bodyBytes,
    headers: options.headers,
  };
}

/** A refusal of a body whose signature verified with secret `secretIndex`. */
export function signedRefusal(code: SignedRefusalCode, secretIndex: number, options: RefusalOptions & { readonly body: Buffer }): SignedRefusal {
  const { status, error } = REPLIES[code];
  const reason = options.reason ?? error;
  return {
    kind: 'refused',
    status,
    verdict: 'valid',
    code,
    reason,
    error: reason,
    body: options.body,
    bodyBytes: options.bodyBytes,
    secretIndex,
    headers: options.headers,
  };
}

/**
 * 401 for a failed signature; `unread` when it is refused before its body was read (the bytes
 * announced). The sender gets the scheme's message, or a plainer one where that
 * message speaks of the listener's secrets (replies.ts); `reason` keeps it and may add the
 * diagnosis, which is for the person at the terminal.
 */
export function signatureRefusal(failure: SignatureFailure, reason: string, body: Buffer, unread?: { readonly bodyBytes: number }): SignatureRefusal {
  return {
    kind: 'refused',
    status: SIGNATURE_FAILED_STATUS,
    verdict: 'invalid',
    code: failure.reason,
    reason,
    error: SIGNATURE_ERRORS_FOR_SENDER[failure.reason] ?? failure.message,
    body,
    bodyBytes: unread?.bodyBytes ?? body.length,
    // A body left unsent cannot be skipped: the connection closes after the answer.
    headers: unread === undefined ? undefined : { connection: 'close' },
  };
}
