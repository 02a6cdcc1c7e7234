/**
 * What the listener records about every request it answers (valid or not), and the in-process
 * feed the inspector reads. The journal stores these records; step 5 and the inspector read them.
 */

/** `valid`: signature verified; `invalid`: signature checked and failed; `rejected`: refused before any check (404, 405, 413, 408...). */
export type Verdict = 'valid' | 'invalid' | 'rejected';

/**
 * Where the user's handler stands for a delivery: `pending` (queued), `running`, `done`, `failed`
 * (its last run failed; another try is scheduled), `dead` (it failed its last try, HANDLER_RETRY_LIMIT
 * retries after the first), `duplicate` (a retry of a stored delivery: never run again), `not-run`
 * (a refused request, or no handler configured).
 */
export type HandlerState = 'pending' | 'running' | 'done' | 'failed' | 'dead' | 'duplicate' | 'not-run';

/** Every handler state, in the order a delivery goes through them. */
export const HANDLER_STATES: readonly HandlerState[] = ['pending', 'running', 'done', 'failed', 'dead', 'duplicate', 'not-run'];

/** Every verdict. */
export const VERDICTS: readonly Verdict[] = ['valid', 'invalid', 'rejected'];

export interface DeliveryRecord {
  /** Unique, sortable by arrival: `<ms since epoch, base36>-<random>`. */
  readonly id: string;
  /** ISO 8601 time the request started arriving. */
  readonly receivedAt: string;
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly remoteAddress: string | undefined;
  /** Header name/value pairs exactly as received (`req.rawHeaders`), so a replay can resend them. */
  readonly headers: readonly (readonly [string, string])[];
  /**
   * The exact body bytes; empty when the body was not read (over the limit, timed out). Bytes, not
   * base64 text: the feed keeps hundreds of these alive, and at 64 KiB an 87 KB string per delivery
   * kept the garbage collector busy copying it. Text is made only where text goes out.
   */
  readonly body: Buffer;
  /** Bytes received, or announced by Content-Length when the body was refused unread. */
  readonly bodyBytes: number;
  readonly status: number;
  readonly verdict: Verdict;
  /** `ok`, or the stable code sent back in the `{error, code}` body (e.g. `signature_mismatch`). */
  readonly code: string;
  /** One sentence: why it was accepted or refused. */
  readonly reason: string;
  /** The signature scheme the listener was verifying. */
  readonly scheme: string;
  /** Which configured secret matched (0 = current), for valid deliveries. */
  readonly secretIndex: number | undefined;
  /** Event name from the payload, when the body was valid JSON with one. */
  readonly event: string | undefined;
  /** Milliseconds from the request's arrival to the answer being handed to the socket. */
  readonly ackMs: number;
  /** Identifies the same delivery sent again (a sender retry): duplicates share it. */
  readonly dedupeKey: string | undefined;
  /**
   * What the listener answered (its status is `status`): stored before it is sent, and sent from
   * what was stored. Absent in records written before answers were kept.
   */
  readonly response?: ListenerAnswer;
}

/**
 * The headers the listener set on its answer and the body it sent. Node adds `Date`, `Connection`
 * and `Keep-Alive` itself as the answer goes out; those are not part of it.
 */
export interface ListenerAnswer {
  /** Name/value pairs in the order they were set, `content-length` included. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** One try at forwarding a verified delivery to the user's app (LISTEN_FORWARD_TO). */
export interface ForwardAttempt {
  /** Where it went. */
  readonly url: string;
  /** ISO 8601 time it was sent. */
  readonly at: string;
  /** Milliseconds from sending to the end of the answer (or the error). */
  readonly latencyMs: number;
  /** The app's answer; absent when none came (then `error` says why). */
  readonly response?: ForwardResponse;
  /** Why there is no answer: `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:8000`, `timed out after 27000 ms`. */
  readonly error?: string;
}

/** What the user's app answered a forward. */
export interface ForwardResponse {
  readonly status: number;
  /** Name/value pairs as received. */
  readonly headers: readonly (readonly [string, string])[];
  /** The first 4 KiB of the body, as UTF-8. */
  readonly body: string;
  /** True when the body was longer than what is kept. */
  readonly bodyTruncated: boolean;
}

/** A delivery's forwards: how many tries there were, and the most recent ones (oldest first). */
export interface ForwardLog {
  readonly attempts: number;
  readonly recent: readonly ForwardAttempt[];
}

export interface DeliveryView extends DeliveryRecord {
  readonly handler: HandlerState;
  /** The handler's error message when it failed. */
  readonly handlerError: string | undefined;
  /** How many times the handler has started for it, when the store counts (Postgres). */
  readonly attempts?: number;
  /** Which listener stored it (`host pid`), when the store is shared by several (Postgres). */
  readonly receivedBy?: string;
  /** Its forwards to the user's app so far, when the handler forwards (LISTEN_FORWARD_TO). */
  readonly forward?: ForwardLog;
  /**
   * How many bytes of the body the store holds, when `body` is only their start (read with
   * `bodyUpToBytes`, see DeliverySource.get); absent when `body` is all of them.
   */
  readonly storedBodyBytes?: number;
}

/** Live deliveries of a running listener, for the inspector. */
export interface DeliveryFeed {
  /** Newest first. */
  list(): readonly DeliveryView[];
  /** Calls `onChange` with each new or updated delivery; returns the unsubscribe function. */
  subscribe(onChange: (view: DeliveryView) => void): () => void;
}
