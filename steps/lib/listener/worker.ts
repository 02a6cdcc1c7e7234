/**
 * The in-process worker: runs the user's handler for each verified delivery AFTER the listener
 * has answered, so a slow handler never delays the acknowledgement Bracken waits for.
 *
 * At least once: the delivery is in the journal (state `pending`) before the 2xx goes out, and
 * its outcome (`done` / `failed`) is journaled after the handler returns, without holding up the
 * next handler (it joins the journal's next group commit). A delivery with no
 * outcome (the process died) or a `failed` one is run again when the listener next starts. There
 * is deliberately no in-process retry: a failure shows in the inspector and the log, you fix the
 * handler and restart, and it runs again. Handlers must therefore be idempotent by delivery id.
 *
 * @example
 * const worker = createWorker({ handler: async (d) => save(d.payload), journal, onChange });
 * worker.enqueue(view); await worker.idle();
 */
import type { DeliveryView, HandlerState } from '../delivery/index.ts';
import type { Journal } from '../journal/index.ts';
import { parseJsonBody } from './payload.ts';

/** What a handler receives: the parsed event plus the exact bytes and headers. */
export interface WebhookDelivery {
  readonly id: string;
  /** Event name from the payload (`eventname`, `event` or `type`), when there is one. */
  readonly event: string | undefined;
  /** The parsed JSON body. */
  readonly payload: unknown;
  readonly body: Buffer;
  readonly receivedAt: string;
  /** True when this delivery was recovered from the journal at start (a re-run after a crash or failure). */
  readonly recovered: boolean;
  readonly record: DeliveryView;
}

export type DeliveryHandler = (delivery: WebhookDelivery) => Promise<void> | void;

export interface WorkerOptions {
  handler: DeliveryHandler;
  journal: Pick<Journal, 'appendOutcome'>;
  /** Called when a delivery's handler state changes (the feed). */
  onChange: (id: string, handler: HandlerState, error: string | undefined) => void;
  log?: (line: string) => void;
  /** Handlers run at once; default 1, so events are handled in arrival order. */
  concurrency?: number;
}

export interface Worker {
  /** Queues a delivery; its handler runs on a later tick. */
  enqueue(view: DeliveryView, options?: { recovered?: boolean; received?: Received }): void;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /**
   * Stops taking work and waits up to `timeoutMs` for running handlers. Queued deliveries stay
   * `pending` in the journal and run on the next start.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** The bytes and parsed JSON the listener already has for a delivery it just received. */
export interface Received {
  readonly body: Buffer;
  readonly payload: unknown;
}

interface Queued {
  readonly view: DeliveryView;
  readonly recovered: boolean;
  readonly received: Received | undefined;
}

export function createWorker(options: WorkerOptions): Worker {
  const { handler, journal, onChange, log = () => {}, concurrency = 1 } = options;
  const queue: Queued[] = [];
  let running = 0;
  let closed = false;
  let waiters: (() => void)[] = [];
  // Outcome records on their way to disk. The next handler does not wait for them: they join the
  // journal's next group commit, so the worker runs at handler speed, not one handler per fsync.
  // A crash before one is on disk only means that handler runs again (at least once).
  const recording = new Set<Promise<void>>();
  const busy = () => queue.length + running + recording.size;

  const settle = () => {
    if (busy() > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const run = async ({ view, recovered, received }: Queued): Promise<void> => {
    let error: string | undefined;
    try {
      // Received in this process: the listener's bytes and parse. Recovered from the journal: decode them.
      const body = received?.body ?? Buffer.from(view.bodyBase64, 'base64');
      const payload = received === undefined ? parseJsonBody(body) : received.payload;
      await handler({ id: view.id, event: view.event, payload, body, receivedAt: view.receivedAt, recovered, record: view });
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const state = error === undefined ? 'done' : 'failed';
    if (error !== undefined)
      log(`handler failed for ${view.id}${view.event === undefined ? '' : ` (${view.event})`}: ${error}; it runs again when the listener restarts.`);
    const record = journal.appendOutcome(view.id, state, error).then(
      () => onChange(view.id, state, error),
      (caught: unknown) => {
        // Not recorded: the delivery stays pending in the journal and simply runs again next start.
        log(`journal: could not record the handler outcome for ${view.id}: ${(caught as Error).message}`);
        onChange(view.id, state, error);
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
      const next = queue.shift() as Queued;
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
      if (closed) return;
      queue.push({ view, recovered, received });
      // On a later tick, so the handler never runs before the answer has been handed to the socket.
      setImmediate(pump);
    },
    idle() {
      if (busy() === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close({ timeoutMs = 5000 } = {}) {
      closed = true;
      queue.length = 0;
      if (running === 0) {
        await Promise.allSettled(recording);
        return settle();
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log(`worker: ${running} handler(s) still running after ${timeoutMs} ms; they will run again on the next start.`);
          resolve();
        }, timeoutMs);
      });
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), timeout]);
      clearTimeout(timer);
      await Promise.allSettled(recording);
    },
  };
}
