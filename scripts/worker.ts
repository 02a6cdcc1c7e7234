/**
 * `npm run worker`: runs your handler for the deliveries the listeners stored in Postgres
 * (DATABASE_URL), as step 3's in-process worker does with the file journal. Start as many as you
 * like, on any machine that reaches the database; each takes jobs from pg-boss,
 * WORKER_CONCURRENCY at a time, retries a failed handler HANDLER_RETRY_LIMIT times with a doubling
 * delay (HANDLER_RETRY_DELAY_MS), bounds each run by HANDLER_TIMEOUT_MS, and after the last try
 * leaves the delivery `dead` (Retry now in the inspector runs it again). Ctrl-C lets the running
 * handlers finish, then exits. With LISTEN_FORWARD_TO (or `--forward-to URL`) the handler forwards
 * each delivery to your own app, as step 3's does without Postgres.
 *
 *   DATABASE_URL=postgres://user:password@127.0.0.1:5432/webhooks npm run worker [-- --forward-to URL]
 */
import { type Config, isMain, loadConfig, runService } from '../steps/lib/core/index.ts';
import { configuredForwarding, forwardToOption } from '../steps/lib/forward/index.ts';
import { type DeliveryHandler, sampleHandler } from '../steps/lib/listener/index.ts';
import { openDatabase } from '../steps/lib/store/index.ts';

export interface WorkerDeps {
  readonly config?: Config;
  readonly log?: (line: string) => void;
  /** Default: forwarding to the user's app when there is a forward target, else the sample handler step 3 runs. */
  readonly handler?: DeliveryHandler;
  /** `--forward-to URL` from the command line: wins over LISTEN_FORWARD_TO. */
  readonly forwardTo?: string;
}

export interface RunningWorkerProcess {
  readonly readyLine: string;
  /** Stops taking jobs, waits for the running handlers, closes the connections. */
  close(): Promise<void>;
}

/** Connects (a wrong DATABASE_URL stops here with what to fix), migrates, and starts taking jobs. */
export async function startWorker(deps: WorkerDeps = {}): Promise<RunningWorkerProcess> {
  const { config = loadConfig(), log = console.log } = deps;
  const forwarding = configuredForwarding(config, deps.forwardTo, log);
  const store = await openDatabase(config, { role: 'worker', log });
  try {
    const { workerConcurrency, retryLimit, retryDelayMs, timeoutMs } = config.handlers;
    const worker = await store.work(deps.handler ?? forwarding?.handler ?? sampleHandler(log), { concurrency: workerConcurrency });
    if (forwarding !== undefined && deps.handler === undefined) log(forwarding.description);
    const readyLine =
      `Worker ready: running handlers for the deliveries in ${store.location} ` +
      `(WORKER_CONCURRENCY=${workerConcurrency}, HANDLER_RETRY_LIMIT=${retryLimit}, HANDLER_RETRY_DELAY_MS=${retryDelayMs}, HANDLER_TIMEOUT_MS=${timeoutMs}).`;
    log(readyLine);
    return {
      readyLine,
      async close() {
        if (worker.running > 0) log(`Waiting for ${worker.running} running handler(s) to finish...`);
        await worker.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

if (isMain(import.meta.url)) {
  const options = forwardToOption('npm run worker', 'Runs the webhook handlers of deliveries stored in Postgres (DATABASE_URL), until Ctrl-C.');
  if (options !== undefined) {
    await runService({
      title: 'Worker: run webhook handlers from Postgres',
      start: () => startWorker(options),
      ready: () => 'Leave this running; start more (here or on other machines) to handle more. Ctrl-C finishes the running handlers, then exits.',
      stopped: () => 'Worker stopped.',
    });
  }
}
