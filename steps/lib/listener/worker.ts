/**
 * The in-process worker of the file store: runs the user's handler for each verified delivery
 * AFTER the listener has answered, so a slow handler never delays the acknowledgement Bracken
 * waits for. (With Postgres, `npm run worker` runs handlers instead: steps/lib/store/postgres/.)
 *
 * At least once: the delivery is in the journal (state `pending`) before the 2xx goes out, and
 * each run's outcome (`done` / `failed` / `dead`) is journaled after the handler returns, without
 * holding up the next handler: the outcomes of one tick's runs go to the journal together, and
 * join its next group commit. With a retry policy (step 3 passes HANDLER_RETRY_LIMIT,
 * HANDLER_RETRY_DELAY_MS, HANDLER_TIMEOUT_MS) a failed run is tried again after a doubling delay,
 * and after the last try the delivery is `dead`. Without one, a failure stays `failed`. Either way
 * a delivery with no outcome (the process died), or a `failed` or `dead` one, runs again when the
 * listener next starts. Handlers must be idempotent by delivery id.
 *
 * @example
 * const worker = createWorker({ handler: async (d) => save(d.payload), journal, onChange, retry: config.handlers });
 * worker.enqueue(view); await worker.idle();
 */
import {
  type DeliveryHandler,
  type DeliveryView,
  deliveryFor,
  failureMessage,
  type HandlerState,
  type RetryPolicy,
  type RunReport,
  retryDelayMs,
  runHandler,
} from '../delivery/index.ts';
import type { HandlerOutcome, HandlerRun } from '../journal/index.ts';
import { Fifo } from '../core/index.ts';

// The handler's types live with the delivery record (both engines' workers use them); they are
// still exported from here, where a handler author looks for them.
export type { DeliveryHandler, WebhookDelivery } from '../delivery/index.ts';

export interface WorkerOptions {
  handler: DeliveryHandler;
  /** Where the runs' outcomes (and what each run reported) go, a tick's worth at a time: the journal, through the file store. */
  journal: { appendOutcomes(runs: readonly HandlerRun[]): Promise<void> };
  /** Called when a delivery's handler state changes (the feed): `running` as a run starts (never journaled), then its outcome. */
  onChange: (id: string, handler: HandlerState, error: string | undefined, report: RunReport | undefined) => void;
  log?: (line: string) => void;
  /** Handlers run at once; default 1, so events are handled in arrival order. */
  concurrency?: number;
  /** Retries after a failed run, and a time limit per run. Without it a failure waits for the next start. */
  retry?: RetryPolicy;
}

export interface Worker {
  /** Queues a delivery; its handler runs on a later tick. One already queued or running is left as it is. */
  enqueue(view: DeliveryView, options?: { recovered?: boolean; received?: Received }): void;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /**
   * Stops taking work and waits up to `timeoutMs` for running handlers; then aborts the signal of
   * those still running (`delivery.signal`), whose outcomes are no longer recorded. Queued
   * deliveries, and those still running, stay as the journal has them (`pending`, or `failed` for a
   * retry) and run on the next start.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** The parsed JSON the listener already has for a delivery it just received (its bytes are the view's `body`). */
export interface Received {
  readonly payload: unknown;
}

interface Queued {
  readonly view: DeliveryView;
  readonly recovered: boolean;
  readonly received: Received | undefined;
  /** Retries already made (0 for the first run). */
  readonly retries: number;
}

export function createWorker(options: WorkerOptions): Worker {
  const { handler, journal, onChange, log = () => {}, concurrency = 1, retry } = options;
  const queue = new Fifo<Queued>();
  let running = 0;
  let closed = false;
  // Aborted when a close stops waiting for the running handlers: each run's signal follows it.
  const shutdown = new AbortController();
  let waiters: (() => void)[] = [];
  // Outcomes of runs that finished this tick, recorded together on the next (one journal append
  // for many runs, not a frame, a promise and a timestamp each).
  let finished: HandlerRun[] = [];
  // Outcome records on their way to disk. The next handler does not wait for them: they join the
  // journal's next group commit, so the worker runs at handler speed, not one handler per fsync.
  // A crash before one is on disk only means that handler runs again (at least once).
  const recording = new Set<Promise<void>>();
  // Failed runs waiting for their retry's delay, by delivery id; they count as work, so idle() waits for them.
  const retryTimers = new Map<string, NodeJS.Timeout>();
  // Deliveries queued or running: queueing one again (Retry now, while the inspector still shows
  // its last run failed) would run its handler twice in a row for one click.
  const inFlight = new Set<string>();
  const busy = () => queue.length + running + finished.length + recording.size + retryTimers.size;

  const settle = () => {
    if (busy() > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const run = async (item: Queued): Promise<void> => {
    const { view, recovered, received, retries } = item;
    let error: string | undefined;
    let report: RunReport | undefined;
    try {
      // A first run received in this process: the listener's parse. Recovered from the journal, or
      // a retry: the bytes parsed again, so a run that changed the payload it was given and failed
      // does not hand that change to the next (a retry gets what a restart would).
      const again = recovered || retries > 0;
      const delivery = deliveryFor(view, again, again ? undefined : received);
      // Live only: the journal's outcome records carry the state that matters after a crash.
      onChange(view.id, 'running', undefined, undefined);
      // Without a retry policy there is no time limit either: a failure waits for the next start.
      const outcome = await runHandler(handler, delivery, { timeoutMs: retry?.timeoutMs, signal: shutdown.signal });
      report = outcome.report;
      if (!outcome.ok) error = outcome.error;
    } catch (caught) {
      error = failureMessage(caught);
    }
    // Given up on by a close (the close said so): the store may be closed by now; it runs again next start.
    if (shutdown.signal.aborted) return;
    const triesLeft = retry !== undefined && retries < retry.retryLimit;
    // Closing: no retry is scheduled (the close would wait out its delay); the journal says `failed`, so the next start runs it.
    const retryAfter = error !== undefined && retry !== undefined && triesLeft && !closed ? retryDelayMs(retry.retryDelayMs, retries) : undefined;
    const state: HandlerOutcome = error === undefined ? 'done' : retry === undefined || triesLeft ? 'failed' : 'dead';
    if (error !== undefined)
      log(`handler failed for ${view.id}${view.event === undefined ? '' : ` (${view.event})`}: ${error}; ${whatNext(retries, retry, retryAfter, closed)}`);
    if (retryAfter !== undefined) {
      const timer = setTimeout(() => {
        retryTimers.delete(view.id);
        if (closed) return settle();
        // Without the parsed payload: a retry parses the bytes again, and the object is not kept while it waits.
        inFlight.add(view.id);
        queue.push({ ...item, received: undefined, retries: retries + 1 });
        pump();
      }, retryAfter);
      retryTimers.set(view.id, timer);
    }
    inFlight.delete(view.id);
    if (finished.length === 0) setImmediate(recordFinished);
    finished.push({ id: view.id, handler: state, error, report });
  };

  const tell = (runs: readonly HandlerRun[]) => {
    for (const { id, handler: state, error, report } of runs) onChange(id, state, error, report);
  };

  const recordFinished = () => {
    if (finished.length === 0) return;
    const runs = finished;
    finished = [];
    const record = journal.appendOutcomes(runs).then(
      () => tell(runs),
      (caught: unknown) => {
        // Not recorded: the deliveries stay pending in the journal and simply run again next start.
        for (const { id } of runs) log(`journal: could not record the handler outcome for ${id}: ${(caught as Error).message}`);
        tell(runs);
      },
    );
    recording.add(record);
    void record.finally(() => {
      recording.delete(record);
      settle();
    });
  };

  const pump = () => {
    while (!closed && running < concurrency && queue.length > 0) {
      const next = queue.take() as Queued;
      running += 1;
      void run(next).finally(() => {
        running -= 1;
        pump();
        settle();
      });
    }
    settle();
  };

  return {
    enqueue(view, { recovered = false, received } = {}) {
      if (closed || inFlight.has(view.id)) return;
      // Queued again (Retry now) while its automatic retry waits: this run replaces that retry, or
      // the delivery would run once more after this run, even after this one succeeded.
      const waiting = retryTimers.get(view.id);
      if (waiting !== undefined) {
        clearTimeout(waiting);
        retryTimers.delete(view.id);
      }
      inFlight.add(view.id);
      queue.push({ view, recovered, received, retries: 0 });
      // On a later tick, so the handler never runs before the answer has been handed to the socket.
      setImmediate(pump);
    },
    idle() {
      if (busy() === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close({ timeoutMs = 5000 } = {}) {
      closed = true;
      queue.clear();
      inFlight.clear();
      // Waiting retries stay `failed` in the journal: the next start runs them.
      for (const timer of retryTimers.values()) clearTimeout(timer);
      retryTimers.clear();
      if (running === 0) {
        recordFinished();
        await Promise.allSettled(recording);
        return settle();
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log(`worker: ${running} handler(s) still running after ${timeoutMs} ms; they are told to stop (delivery.signal), and run again on the next start.`);
          shutdown.abort(new DOMException(`the worker stopped waiting for the handler (${timeoutMs} ms after the listener began to close)`, 'AbortError'));
          resolve();
        }, timeoutMs);
      });
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), timeout]);
      clearTimeout(timer);
      recordFinished();
      await Promise.allSettled(recording);
    },
  };
}

/** The end of the log line for a failed run: when it runs again. */
function whatNext(retries: number, retry: RetryPolicy | undefined, retryAfter: number | undefined, closing: boolean): string {
  if (retry === undefined) return 'it runs again when the listener restarts.';
  if (closing && retries < retry.retryLimit) return 'the worker is stopping, so it runs again when the listener restarts.';
  if (retryAfter !== undefined) return `try ${retries + 2} of ${retry.retryLimit + 1} in ${(retryAfter / 1000).toFixed(1)} s.`;
  return `that was its last try (HANDLER_RETRY_LIMIT=${retry.retryLimit}), so it is dead; it runs again when the listener restarts.`;
}
