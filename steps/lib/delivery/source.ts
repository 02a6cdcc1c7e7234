/**
 * Where the inspector (and step 5) read deliveries from: a listener's in-memory feed, or a store
 * (the file journal, or Postgres shared by every listener). Listing takes the same filters in
 * both: verdict and handler state, newest first, with the total that matched.
 *
 * @example
 * const source = feedSource(listener.feed);
 * const { total, deliveries } = await source.list({ handler: 'dead', limit: 50 });
 * const stop = source.subscribe((view) => console.log(view.id, view.handler));
 */
import type { DeliveryFeed, DeliveryView, HandlerState, Verdict } from './record.ts';

/** Which deliveries to list; undefined filters match everything. */
export interface DeliveryQuery {
  readonly verdict?: Verdict | undefined;
  readonly handler?: HandlerState | undefined;
  /** At most this many, newest first. */
  readonly limit: number;
  /**
   * Bodies larger than this many bytes are left out of the listed views (an empty body, while
   * `bodyBytes` still says their size), so a list of large deliveries does not read them all:
   * the inspector's list summarises only bodies this small, and `get` reads a delivery whole.
   * Undefined: every body.
   */
  readonly bodiesUpToBytes?: number | undefined;
}

export interface DeliveryList {
  /** How many matched (the list itself stops at the limit). */
  readonly total: number;
  /** Newest first. */
  readonly deliveries: readonly DeliveryView[];
}

/** What "Retry now" did: queued the delivery's handler again, or why not. */
export type RetryResult =
  | { readonly ok: true; readonly delivery: DeliveryView }
  | { readonly ok: false; readonly reason: 'unknown_delivery' | 'not_retryable'; readonly message: string };

export interface RetryOptions {
  /**
   * Also a verified `duplicate`: an inspector replay while the handler forwards to the user's app
   * (LISTEN_FORWARD_TO), so the replayed copy reaches the app again.
   */
  readonly duplicate?: boolean;
}

/** How much of a delivery `get` reads. */
export interface GetOptions {
  /**
   * Read at most this many bytes of the body: `body` is then its start, and `storedBodyBytes`
   * says how many there are. The inspector's detail shows only the first MiB: from Postgres, a
   * 16 MiB body took 5.5 s to read whole, its first MiB 71 ms. Undefined: the whole body.
   */
  readonly bodyUpToBytes?: number | undefined;
}

export interface DeliverySource {
  list(query: DeliveryQuery): Promise<DeliveryList>;
  get(id: string, options?: GetOptions): Promise<DeliveryView | undefined>;
  /**
   * At most `length` bytes of delivery `id`'s body from `offset` (empty past its end); undefined
   * when there is no such delivery. The download reads a large body this way, a slice at a time.
   */
  readBody(id: string, offset: number, length: number): Promise<Buffer | undefined>;
  /**
   * Calls `onChange` with each new or updated delivery; returns the unsubscribe function. With
   * `bodiesUpToBytes`, larger bodies are left out of the views as in a list (see DeliveryQuery).
   */
  subscribe(onChange: (view: DeliveryView) => void, options?: { readonly bodiesUpToBytes?: number }): () => void;
  /** Queues the handler of a `failed` or `dead` delivery again, now. Absent where nothing can re-run it. */
  retryNow?(id: string, options?: RetryOptions): Promise<RetryResult>;
}

/**
 * Whether Retry now may queue delivery `id` (`view`, as stored): a failed or dead one, or with
 * `duplicate` a verified duplicate; not an unknown one, nor one whose handler is queued, running or done.
 */
export function checkRetry(
  id: string,
  view: DeliveryView | undefined,
  options: RetryOptions = {},
): { readonly ok: true; readonly view: DeliveryView } | Extract<RetryResult, { ok: false }> {
  if (view === undefined) return { ok: false, reason: 'unknown_delivery', message: `No delivery with id ${id}.` };
  const retryable = view.handler === 'failed' || view.handler === 'dead' || (options.duplicate === true && view.handler === 'duplicate' && view.code === 'ok');
  if (retryable) return { ok: true, view };
  return { ok: false, reason: 'not_retryable', message: `Delivery ${id} is ${view.handler}: only a failed or dead delivery can be retried now.` };
}

/** True when `view` passes the query's filters. */
export function matchesQuery(view: DeliveryView, query: Omit<DeliveryQuery, 'limit'>): boolean {
  return (query.verdict === undefined || view.verdict === query.verdict) && (query.handler === undefined || view.handler === query.handler);
}

/** `view` as a list gives it: without its body when that is larger than `bodiesUpToBytes` (see DeliveryQuery). */
function listedView(view: DeliveryView, bodiesUpToBytes: number | undefined): DeliveryView {
  return bodiesUpToBytes === undefined || view.bodyBytes <= bodiesUpToBytes ? view : { ...view, body: Buffer.alloc(0) };
}

/** `view` with only the first `upTo` bytes of its body, saying how many it has (see GetOptions). */
function withBodyStart(view: DeliveryView, upTo: number | undefined): DeliveryView {
  if (upTo === undefined || view.body.length <= upTo) return view;
  return { ...view, body: view.body.subarray(0, Math.max(0, Math.trunc(upTo))), storedBodyBytes: view.body.length };
}

/** A source over an in-memory feed (the deliveries it still holds). */
export function feedSource(feed: DeliveryFeed): DeliverySource {
  const byId = (id: string) => feed.list().find((view) => view.id === id);
  return {
    async list(query) {
      const matching = feed.list().filter((view) => matchesQuery(view, query));
      return { total: matching.length, deliveries: matching.slice(0, query.limit).map((view) => listedView(view, query.bodiesUpToBytes)) };
    },
    async get(id, options) {
      const view = byId(id);
      return view === undefined ? undefined : withBodyStart(view, options?.bodyUpToBytes);
    },
    async readBody(id, offset, length) {
      return byId(id)?.body.subarray(offset, offset + length);
    },
    subscribe: (onChange, options) =>
      feed.subscribe(options?.bodiesUpToBytes === undefined ? onChange : (view) => onChange(listedView(view, options.bodiesUpToBytes))),
  };
}
