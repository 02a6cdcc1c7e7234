/**
 * What a handler is and how one run of it goes, for both places that run handlers: the listener's
 * in-process worker (file journal) and `npm run worker` (Postgres, pg-boss). A run that throws, or
 * is still going after HANDLER_TIMEOUT_MS, has failed; it is tried again after a delay that doubles
 * each time (with jitter, the same formula pg-boss uses), HANDLER_RETRY_LIMIT times, and then the
 * delivery is `dead`. JavaScript cannot stop a run, so each one gets `delivery.signal`, which aborts
 * when the worker stops waiting for it (HANDLER_TIMEOUT_MS, or a shutdown): a handler that hands it
 * to fetch or undici stops there, and does not pile up behind the runs that follow.
 *
 * @example
 * const outcome = await runHandler(handler, deliveryFor(view, false), { timeoutMs: 30_000 });
 * if (!outcome.ok) console.log(outcome.error, retryDelayMs(1000, 0)); // 'boom', 1000..2000
 */
import { failureMessage } from './failure-message.ts';
import { parseJsonBody } from './json-body.ts';
import { reportOf } from './run-report.ts';
import type { DeliveryView, ForwardAttempt } from './record.ts';

/** What a handler receives: the parsed event plus the exact bytes and headers. */
export interface WebhookDelivery {
  readonly id: string;
  /** Event name from the payload (`eventname`, `event` or `type`), when there is one. */
  readonly event: string | undefined;
  /** The parsed JSON body. */
  readonly payload: unknown;
  readonly body: Buffer;
  readonly receivedAt: string;
  /** True when this is not the first run (a retry, or a re-run after a crash or restart). */
  readonly recovered: boolean;
  readonly record: DeliveryView;
  /**
   * Aborts when the worker stops waiting for this run: at HANDLER_TIMEOUT_MS (its reason a
   * `TimeoutError`), or when the worker shuts down with the run still going (an `AbortError`).
   * Pass it to what may hang (`fetch(url, { signal: delivery.signal })`), or check it between steps
   * (`delivery.signal.throwIfAborted()`): a run past its time is failed and retried anyway.
   */
  readonly signal: AbortSignal;
}

/** A delivery before its run: runHandler adds the run's `signal`. */
export type DeliveryToRun = Omit<WebhookDelivery, 'signal'>;

/**
 * A handler may return (or throw, inside a HandlerFailure) a report of what it did, which is stored
 * with the delivery's outcome. The forwarding handler (LISTEN_FORWARD_TO) reports each try it made.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: most handlers return nothing (`async (d) => { … }` is Promise<void>), and must stay handlers
export type DeliveryHandler = (delivery: WebhookDelivery) => Promise<RunReport | void> | RunReport | void;

/** What one run reports beyond success or failure. */
export interface RunReport {
  /** The try at forwarding the delivery to the user's app, and the app's answer. */
  readonly forward?: ForwardAttempt;
}

/** Thrown by a handler whose run failed but has something to report (e.g. the app's 503 answer). */
export class HandlerFailure extends Error {
  readonly report: RunReport;

  constructor(message: string, report: RunReport) {
    super(message);
    this.name = new.target.name;
    this.report = report;
  }
}

/** How failed runs are retried (config.handlers). */
export interface RetryPolicy {
  /** Tries after the first failed one; then the delivery is `dead`. */
  readonly retryLimit: number;
  /** Delay before the first retry; each next one doubles. */
  readonly retryDelayMs: number;
  /** A run still going after this has failed. */
  readonly timeoutMs: number;
}

export type RunOutcome =
  | { readonly ok: true; readonly report?: RunReport | undefined }
  | { readonly ok: false; readonly error: string; readonly report?: RunReport | undefined };

/** How one run is bounded. */
export interface RunLimits {
  /** A run still going after this has failed, and its signal aborts; undefined: no limit. */
  readonly timeoutMs?: number | undefined;
  /** The worker's own: aborting it (a shutdown) aborts the run's signal too. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs `handler` once; a throw or a run past `timeoutMs` (when given) is a failure with its
 * message, and a HandlerFailure's report is kept. The handler gets `delivery.signal`, aborted at
 * `timeoutMs` or with `signal`. Never rejects.
 */
export async function runHandler(handler: DeliveryHandler, delivery: DeliveryToRun, limits: RunLimits): Promise<RunOutcome> {
  const { timeoutMs, signal: worker } = limits;
  const run = new AbortController();
  const stop = () => run.abort(worker?.reason);
  if (worker?.aborted === true) stop();
  else worker?.addEventListener('abort', stop, { once: true });
  const ran = (async (): Promise<RunOutcome> => {
    // A handler typed to return nothing may still return anything (`(d) => list.push(d)`, a database's
    // answer): only a report of the documented shape is kept, as a copy.
    const report = reportOf(await handler({ ...delivery, signal: run.signal }));
    return report === undefined ? { ok: true } : { ok: true, report };
  })().catch((caught: unknown): RunOutcome => {
    const report = failureReport(caught);
    return { ok: false, error: failureMessage(caught), ...(report === undefined ? {} : { report }) };
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<RunOutcome>((resolve) => {
    if (timeoutMs === undefined) return;
    timer = setTimeout(() => {
      const error = `the handler did not finish within ${timeoutMs} ms (HANDLER_TIMEOUT_MS)`;
      // The run is failed now whatever the handler does; its signal tells it to stop.
      run.abort(new DOMException(error, 'TimeoutError'));
      resolve({ ok: false, error });
    }, timeoutMs);
  });
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
    worker?.removeEventListener('abort', stop);
  }
}

/** A HandlerFailure's report; never throws (`instanceof` on a thrown Proxy runs its traps). */
function failureReport(caught: unknown): RunReport | undefined {
  try {
    return caught instanceof HandlerFailure ? reportOf(caught.report) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The delay before retry number `retriesSoFar + 1`: `baseMs × 2^retriesSoFar`, times 1 to 2 at
 * random, so deliveries that failed together do not all come back at the same moment. This is
 * pg-boss's own backoff (its `retryBackoff`), so both engines wait alike. At most TIMER_MAX_MS:
 * HANDLER_RETRY_DELAY_MS=60000 would pass it after 15 retries.
 */
export function retryDelayMs(baseMs: number, retriesSoFar: number, random: () => number = Math.random): number {
  return Math.min(TIMER_MAX_MS, Math.round(baseMs * 2 ** Math.min(16, retriesSoFar) * (1 + random())));
}

/** The longest delay setTimeout keeps (about 24.8 days): past it Node fires after 1 ms, a retry at once. */
const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * The delivery a handler gets for a stored, verified delivery: `parsed.payload` when the caller
 * already parsed its bytes (the listener that just received it), else its bytes parsed again.
 */
export function deliveryFor(view: DeliveryView, recovered: boolean, parsed?: { readonly payload: unknown }): DeliveryToRun {
  const body = view.body;
  // Only verified JSON bodies are stored with a handler to run, so this parses, as the listener did.
  const payload: unknown = parsed === undefined ? parseJsonBody(body) : parsed.payload;
  return { id: view.id, event: view.event, payload, body, receivedAt: view.receivedAt, recovered, record: view };
}
