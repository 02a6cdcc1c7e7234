/**
 * What the listener decided about one request, before it is journaled and answered, and the
 * refusals it makes by code.
 *
 * @example
 * refusal('not_found', { bodyBytes: 0 })
 * // { status: 404, verdict: 'rejected', code: 'not_found', reason: 'Nothing here: ...', ... }
 */
import type { HandlerState, Verdict } from '../delivery/index.ts';
import { errorBody, REPLIES, type ReplyCode } from './replies.ts';

/** What the listener decided about one request. */
export interface Decision {
  readonly status: number;
  readonly verdict: Verdict;
  readonly code: string;
  readonly reason: string;
  /** The exact body, when it was read. */
  readonly body?: Buffer | undefined;
  /** The parsed JSON of a verified delivery, handed to the worker so it need not parse it again. */
  readonly payload?: unknown;
  /** Bytes received, or announced when the body was not read. */
  readonly bodyBytes: number;
  readonly secretIndex?: number | undefined;
  readonly event?: string | undefined;
  readonly dedupeKey?: string | undefined;
  readonly handler: HandlerState;
  /** The JSON answer. */
  readonly answer: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Refusals made after the signature verified: their verdict stays `valid` (the sender is genuine). */
const SIGNED_BUT_REFUSED: ReadonlySet<ReplyCode> = new Set(['invalid_json', 'empty_body', 'unsupported_media_type']);

/** A refusal decision for `code`, with the reply's status and message (or a more precise `reason`). */
export function refusal(code: ReplyCode, fields: { bodyBytes: number; reason?: string; body?: Buffer; headers?: Record<string, string> }): Decision {
  const { status, error } = REPLIES[code];
  const reason = fields.reason ?? error;
  return {
    status,
    verdict: SIGNED_BUT_REFUSED.has(code) ? 'valid' : 'rejected',
    code,
    reason,
    bodyBytes: fields.bodyBytes,
    handler: 'not-run',
    answer: errorBody(code, reason),
    ...(fields.body === undefined ? {} : { body: fields.body }),
    ...(fields.headers === undefined ? {} : { headers: fields.headers }),
  };
}
