/**
 * The webhook listener: the tutorial's `app.post('/webhooks', ...)`, made strict. It verifies the
 * signature over the raw bytes before any JSON parsing, stores every request it answers before
 * answering (the file journal, or Postgres), acknowledges verified deliveries fast and runs the
 * handler afterwards: in its own worker with the file journal, in `npm run worker` with Postgres.
 *
 * Statuses and codes (the JSON body is `{error, code}` for every refusal): 200 verified delivery;
 * 401 with the scheme's reason (`missing_signature`, `signature_mismatch`...); 400 `invalid_json` /
 * `empty_body` (signature valid, body unusable) or `bad_request` (not valid HTTP); 404 `not_found`;
 * 405 `method_not_allowed` (with `Allow: POST`); 408 `request_timeout`; 411 `length_required` (an
 * HTTP/1.0 POST with no Content-Length); 413 `body_too_large`;
 * 417 `expectation_failed` (an `Expect` other than 100-continue); 431 `headers_too_large`;
 * 500 `secret_unavailable`; 501 `not_implemented` (a Transfer-Encoding other than chunked);
 * 503 `journal_unavailable` (file) or `store_unavailable` (Postgres).
 *
 * @example
 * const listener = await startListener({ host: '127.0.0.1', port: 0, scheme: bracken, secrets: () => [secret],
 *   bodyLimitBytes: 1 << 20, requestTimeoutMs: 10_000, store, handler: sampleHandler(console.log) });
 * console.log(listener.url); // http://127.0.0.1:<port>/webhooks
 */
import { createServer } from 'node:http';
import { bindServer, urlHost, WEBHOOK_PATH, LISTEN_FAILED, LISTEN_PORT_IN_USE, ListenerError, invalidArgument } from '../core/index.ts';
import { type DeliveryFeed, createDeliveryFeed, type RetryPolicy, type WritableFeed, withOutcome } from '../delivery/index.ts';
import type { Journal } from '../journal/index.ts';
import type { Scheme, VerifyInput } from '../signature/index.ts';
import { type DeliveryStore, fileStore } from '../store/index.ts';
import { answerClientError } from './client-error.ts';
import { answerConnect } from './connect-method.ts';
import { answerExpectationFailed, holdContinue } from './expectation.ts';
import type { ReceiveContext } from './receive.ts';
import { StoreOutage } from './store-outage.ts';
import { createWorker, type DeliveryHandler, type Worker } from './worker.ts';

export interface ListenerOptions {
  /** LISTEN_HOST; 127.0.0.1 keeps it local (the tunnel reaches it there). */
  host: string;
  /** LISTEN_PORT; 0 picks a free port. */
  port: number;
  scheme: Scheme;
  /** Called for every request, so a secret written later (step 2) is picked up. Newest first. */
  secrets: () => readonly string[] | Promise<readonly string[]>;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** Where every answered request is stored (the file journal, or Postgres). */
  store?: DeliveryStore;
  /** Shorthand for `store: fileStore(journal)`. */
  journal?: Journal;
  /**
   * Runs after the 2xx for each verified, new delivery, in this process. Only with a store whose
   * handlers do not run from a queue (the file journal); with Postgres, workers run them.
   */
  handler?: DeliveryHandler;
  /** Retries and a time limit for the handler runs here (config.handlers); without it a failure waits for the next start. */
  retry?: RetryPolicy;
  /** When verification fails, extra text for the log line and the record's reason. */
  explainMismatch?: (input: VerifyInput) => string | undefined;
  log?: (line: string) => void;
  /** Handlers running at once; default 1 (arrival order). */
  concurrency?: number;
  /** Deliveries the live feed keeps; default 1000. */
  feedLimit?: number;
}

export interface RunningListener {
  /** e.g. http://127.0.0.1:5000/webhooks */
  readonly url: string;
  /** e.g. http://127.0.0.1:5000 */
  readonly origin: string;
  readonly port: number;
  readonly feed: DeliveryFeed;
  /** Resolves when the worker has nothing queued or running. */
  idle(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, waits briefly for running handlers. Does not close the store. */
  close(): Promise<void>;
}

/** Starts the listener, first re-queueing handlers the journal says are still owed. */
export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const { handler, log = () => {} } = options;
  const store = storeOf(options);
  if (store.queuesHandlers && handler !== undefined) {
    throw invalidArgument(`A ${store.engine} store queues handlers for workers: pass the handler to the worker, not to startListener.`);
  }
  const recovered = store.recovered;
  const feed: WritableFeed = createDeliveryFeed({ initial: recovered, ...(options.feedLimit === undefined ? {} : { limit: options.feedLimit }) });
  const worker: Worker | undefined =
    handler === undefined
      ? undefined
      : createWorker({
          handler,
          journal: { appendOutcomes: (runs) => store.recordOutcomes(runs) },
          log,
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.retry === undefined ? {} : { retry: options.retry }),
          onChange: (id, state, handlerError, report) => {
            const view = feed.get(id);
            if (state === 'running') {
              // A retry's last error stays shown while it runs, as Postgres keeps it. The store's own list
              // (step 3's inspector reads it) hears of the start here; of the outcome, from recordOutcomes.
              if (view !== undefined) feed.upsert({ ...view, handler: state });
              store.showRunning?.(id);
            } else if (view !== undefined) feed.upsert(withOutcome(view, state, handlerError, report));
          },
        });
  // Retry now in the inspector (file engine): this worker runs the delivery again.
  if (worker !== undefined) {
    store.runRetriesWith?.((view) => {
      feed.upsert({ ...view, handler: 'pending' });
      worker.enqueue(view, { recovered: true });
    });
  }
  const ctx: ReceiveContext = {
    scheme: options.scheme.name,
    signatureHeader: options.scheme.signatureHeader?.name,
    verifier: options.scheme,
    secrets: options.secrets,
    bodyLimitBytes: options.bodyLimitBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    explainMismatch: options.explainMismatch,
    // With a queue, every new delivery gets a job (workers run it): dedupe applies as with a handler here.
    hasHandler: worker !== undefined || store.queuesHandlers,
    store,
    log,
    onRecorded: (view) => feed.upsert(view),
    storeOutage: new StoreOutage(),
    onAcknowledged: (view, received) => worker?.enqueue(view, { received }),
  };

  // express comes with the app, loaded when a listener starts: step 5 imports this folder for its secrets only.
  const handle = (await import('./app.ts')).createListenerHandler(ctx);
  const server = createServer(
    {
      // Our own body deadline answers 408 first; Node's is the backstop for anything else.
      requestTimeout: options.requestTimeoutMs + 1000,
      headersTimeout: options.requestTimeoutMs,
      // Node checks those timeouts only every connectionsCheckingInterval (30 s by default).
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs),
      // The listener checks Host itself (host-header.ts), so that refusal is journaled like any other.
      requireHostHeader: false,
    },
    handle,
  );
  // A client that half-closes after its request (nc -N, HTTP/1.0 clients, some proxies) still gets
  // its answer: by default Node ends the socket at the client's FIN, before the journal write is
  // done, so the answer the record says was sent never left. (Node's own option, named after squid's
  // half_closed_clients; the answer then closes the connection.)
  Object.assign(server, { httpAllowHalfOpen: true });
  // Node keeps the first 2,000 headers and silently drops the rest, so a signature after them was
  // "missing" and the record incomplete. No count limit: the 16 KiB header size limit bounds them.
  server.maxHeadersCount = 0;
  server.on('clientError', (error, socket) => answerClientError(ctx, error, socket));
  server.on('connect', (req, socket) => answerConnect(ctx, req, socket));
  server.on('checkContinue', holdContinue(handle));
  server.on('checkExpectation', (req, res) => answerExpectationFailed(ctx, req, res));
  const port = await bindServer(server, options.host, options.port, (error, inUse) =>
    inUse
      ? new ListenerError(
          LISTEN_PORT_IN_USE,
          `Port ${options.port} on ${options.host} is already in use, so the listener cannot start (LISTEN_PORT=${options.port}).`,
          {
            cause: error,
            hint: 'Stop the program using it (another `npm run step:3`?) or set LISTEN_PORT to a free port in .env.',
          },
        )
      : new ListenerError(LISTEN_FAILED, `The listener cannot listen on ${options.host}:${options.port}: ${error.message}.`, {
          cause: error,
          hint: 'Check LISTEN_HOST and LISTEN_PORT in .env (ports below 1024 need privileges).',
        }),
  );
  const origin = `http://${urlHost(options.host)}:${port}`;

  const owed = recovered.filter((view) => view.code === 'ok' && (view.handler === 'pending' || view.handler === 'failed' || view.handler === 'dead'));
  if (recovered.length > 0) log(`Recovered ${recovered.length} deliveries from the journal; ${worker === undefined ? 0 : owed.length} handler run(s) owed.`);
  if (worker !== undefined) {
    for (const view of owed) {
      feed.upsert({ ...view, handler: 'pending' });
      worker.enqueue(view, { recovered: true });
    }
  }

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${WEBHOOK_PATH}`,
    origin,
    port,
    feed,
    idle: () => worker?.idle() ?? Promise.resolve(),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          // In-flight requests get a moment to be journaled and answered; then connections are cut.
          const force = setTimeout(() => server.closeAllConnections(), 2000);
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await worker?.close();
      })();
      return closing;
    },
  };
}

function storeOf(options: ListenerOptions): DeliveryStore {
  if (options.store !== undefined && options.journal !== undefined) throw invalidArgument('Pass startListener a store or a journal, not both.');
  if (options.store !== undefined) return options.store;
  if (options.journal !== undefined) return fileStore(options.journal);
  throw invalidArgument('startListener needs a store (or a journal) to keep what it receives.');
}
