/**
 * What a handler is and how one run of it goes, for both places that run handlers: the listener's
 * in-process worker (file journal) and `npm run worker` (Postgres, pg-boss). A run that throws, or
 * is still going after HANDLER_TIMEOUT_MS, has failed; it is tried again after a delay that doubles
 * each time (with jitter, the same formula pg-boss uses), HANDLER_RETRY_LIMIT times, and then the
 * delivery is `dead`.
 *
 * @example
 * const outcome = await runHandler(handler, delivery, { timeoutMs: 30_000 });
 * if (!outcome.ok) console.log(outcome.error, retryDelayMs(1000, 0)); // 'boom', 1000..2000
 */
import type { DeliveryView } from './record.ts';

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
}

export type DeliveryHandler = (delivery: WebhookDelivery) => Promise<void> | void;

/** How failed runs are retried (config.handlers). */
export interface RetryPolicy {
  /** Tries after the first failed one; then the delivery is `dead`. */
  readonly retryLimit: number;
  /** Delay before the first retry; each next one doubles. */
  readonly retryDelayMs: number;
  /** A run still going after this has failed. */
  readonly timeoutMs: number;
}

export type RunOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

/** Runs `handler` once; a throw or a run past `timeoutMs` is a failure with its message. Never rejects. */
export async function runHandler(handler: DeliveryHandler, delivery: WebhookDelivery, options: { timeoutMs: number }): Promise<RunOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<RunOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: `the handler did not finish within ${options.timeoutMs} ms (HANDLER_TIMEOUT_MS)` }),
      options.timeoutMs,
    );
  });
  const ran = (async (): Promise<RunOutcome> => {
    await handler(delivery);
    return { ok: true };
  })().catch((caught: unknown): RunOutcome => ({ ok: false, error: caught instanceof Error ? caught.message : String(caught) }));
  try {
    // A handler past its time keeps running (JavaScript cannot stop it), but its delivery moves on.
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The delay before retry number `retriesSoFar + 1`: `baseMs × 2^retriesSoFar`, times 1 to 2 at
 * random, so deliveries that failed together do not all come back at the same moment. This is
 * pg-boss's own backoff (its `retryBackoff`), so both engines wait alike.
 */
export function retryDelayMs(baseMs: number, retriesSoFar: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** Math.min(16, retriesSoFar) * (1 + random()));
}

/** The delivery a handler gets for a stored, verified delivery: its bytes decoded and parsed again. */
export function deliveryFor(view: DeliveryView, recovered: boolean): WebhookDelivery {
  const body = Buffer.from(view.bodyBase64, 'base64');
  // Only verified JSON bodies are stored with a handler to run, so this parses; fatal keeps a bad byte an error.
  const payload: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  return { id: view.id, event: view.event, payload, body, receivedAt: view.receivedAt, recovered, record: view };
}
