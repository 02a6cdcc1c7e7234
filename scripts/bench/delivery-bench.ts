/**
 * Issue item 2: delivery latency, end to end. A sandbox and our listener run in this process;
 * the listener is subscribed to User_Create; each sample creates a user through the sandbox API
 * (the tutorial's "Trigger Webhook") and stops the clock when the listener's feed reports that
 * user's delivery verified and journaled (the feed is told after the journal's fdatasync).
 * So a sample is: API call + sandbox store save + signed POST + verify + journal + answer.
 * Measured one at a time, then with `concurrency` creations in flight.
 */
import { performance } from 'node:perf_hooks';
import { startSandbox, sandboxOptionsFromConfig, type RunningSandbox } from '../sandbox/index.ts';
import { createBrackenApi } from '../../steps/lib/bracken/index.ts';
import { loadConfig, WEBHOOK_EVENT, type Config, generatePassword, generateSecret, openState } from '../../steps/lib/core/index.ts';
import type { DeliveryView } from '../../steps/lib/delivery/index.ts';
import { journalDir, openJournal, type Journal } from '../../steps/lib/journal/index.ts';
import { startListener, type RunningListener, sampleHandler } from '../../steps/lib/listener/index.ts';
import { bracken } from '../../steps/lib/signature/index.ts';
import type { DeliveryPlan } from './options.ts';
import { BENCH_HOST } from './receivers/listen.ts';
import { summarize, type LatencySummary } from './stats.ts';
import { withTempDir } from './temp.ts';

/** A delivery not seen this long after its user was created counts as lost. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface DeliveryCell {
  readonly concurrency: number;
  readonly deliveries: number;
  /** Deliveries not seen within the timeout. */
  readonly lost: number;
  /** User created (API call starts) → delivery verified and journaled at the listener, ms. */
  readonly latency: LatencySummary;
}

export interface DeliveryReport {
  readonly path: string;
  readonly cells: readonly DeliveryCell[];
}

/** Runs both cells against a fresh sandbox and listener in a temp folder, then removes it. */
export function benchDelivery(config: Config, plan: DeliveryPlan): Promise<DeliveryReport> {
  return withTempDir('bench-delivery-', (dir) => measureIn(dir, config, plan));
}

async function measureIn(dir: string, config: Config, plan: DeliveryPlan): Promise<DeliveryReport> {
  let sandbox: RunningSandbox | undefined;
  let journal: Journal | undefined;
  let listener: RunningListener | undefined;
  try {
    const quiet = () => {};
    // The sandbox's demo credentials, on a free loopback port, with its store in the temp folder.
    sandbox = await startSandbox({ ...sandboxOptionsFromConfig(config), host: BENCH_HOST, port: 0, stateDir: dir });
    journal = await openJournal({ dir: journalDir(dir), ...config.journal, log: quiet });
    const secret = generateSecret();
    listener = await startListener({
      host: BENCH_HOST,
      port: 0,
      scheme: bracken,
      secrets: () => [secret],
      bodyLimitBytes: config.listen.bodyLimitBytes,
      requestTimeoutMs: config.listen.requestTimeoutMs,
      journal,
      handler: sampleHandler(quiet),
      log: quiet,
    });
    const waiters = watchDeliveries(listener);
    const api = createBrackenApi({ config: clientConfig(config, sandbox.port, dir), state: openState(dir) });
    await api.mergeWebhook(WEBHOOK_EVENT, { target: listener.url, secret, active: true });

    const runTag = Math.random().toString(36).slice(2, 8);
    let n = 0;
    const sample = async (): Promise<number | undefined> => {
      const username = `Bench-${runTag}-${n++}`;
      const started = performance.now();
      const seen = waiters.expect(username);
      await api.createUser({ username, password: generatePassword() });
      const at = await seen;
      return at === undefined ? undefined : at - started;
    };
    const cells = [await measure(1, plan.sequential, sample), await measure(plan.concurrency, plan.concurrent, sample)];
    return { path: 'user created via the sandbox API → verified, journaled delivery at the listener (in-process, loopback)', cells };
  } finally {
    await listener?.close();
    await journal?.close();
    await sandbox?.close();
  }
}

async function measure(concurrency: number, count: number, sample: () => Promise<number | undefined>): Promise<DeliveryCell> {
  const latencies = new Float64Array(count);
  let done = 0;
  let started = 0;
  let lost = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const ms = await sample();
      if (ms === undefined) lost++;
      else latencies[done++] = ms;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { concurrency, deliveries: count, lost, latency: summarize(latencies, done) };
}

/** Resolves `expect(username)` with the time its verified delivery reached the feed (undefined after the timeout). */
function watchDeliveries(listener: RunningListener): { expect(username: string): Promise<number | undefined> } {
  const pending = new Map<string, (at: number) => void>();
  listener.feed.subscribe((view: DeliveryView) => {
    const at = performance.now();
    if (view.verdict !== 'valid' || view.code !== 'ok') return;
    const username = usernameOf(view);
    const resolve = username === undefined ? undefined : pending.get(username);
    if (resolve === undefined) return;
    pending.delete(username as string);
    resolve(at);
  });
  return {
    expect(username) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(username);
          resolve(undefined);
        }, DELIVERY_TIMEOUT_MS);
        pending.set(username, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
  };
}

function usernameOf(view: DeliveryView): string | undefined {
  try {
    const payload = JSON.parse(view.body.toString('utf8')) as { username?: unknown };
    return typeof payload.username === 'string' ? payload.username : undefined;
  } catch {
    return undefined;
  }
}

/** The API client's view of the sandbox just started: its port, its demo credentials, our temp state. */
function clientConfig(config: Config, port: number, stateDir: string): Config {
  const { clientId, clientSecret, domainkey } = config.sandbox;
  return loadConfig({
    env: {
      SANDBOX_HOST: BENCH_HOST,
      SANDBOX_PORT: String(port),
      SANDBOX_CLIENT_ID: clientId,
      SANDBOX_CLIENT_SECRET: clientSecret,
      SANDBOX_DOMAINKEY: String(domainkey),
      WORKBENCH_STATE_DIR: stateDir,
    },
  });
}
