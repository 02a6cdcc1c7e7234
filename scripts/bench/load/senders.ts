/**
 * The two ways the load generator sends: a closed loop to find saturation, an open loop to hold a
 * fixed offered rate. Both use one undici `Pool` (stack.md §5: Pool is several times faster than
 * fetch as a client, so the generator is not the bottleneck it would be with fetch).
 * Both are bounded: by a request count and by time.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { SignedBody } from '../bodies.ts';
import { round, summarize } from '../stats.ts';
import type { FixedRatePlan, LoadResult, SaturationPlan } from './types.ts';

/** Give up on an answer after this long; a receiver this slow has failed anyway (Bracken-style senders time out at 5 s). */
const REQUEST_TIMEOUT_MS = 10_000;

class Tally {
  readonly latencies: Float64Array;
  /** Send lateness per request; only the open loop has a schedule to be late against. */
  readonly lags: Float64Array;
  count = 0;
  sent = 0;
  ok = 0;
  firstError: string | undefined;
  readonly non2xx: Record<string, number> = {};

  constructor(capacity: number, withLag: boolean) {
    this.latencies = new Float64Array(capacity);
    this.lags = new Float64Array(withLag ? capacity : 0);
  }

  answered(status: number, ms: number): void {
    if (status >= 200 && status < 300) this.ok++;
    else this.non2xx[status] = (this.non2xx[status] ?? 0) + 1;
    this.latencies[this.count++] = ms;
  }

  failed(error: unknown): void {
    this.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }

  result(kind: LoadResult['kind'], elapsedMs: number, unanswered = 0): LoadResult {
    return {
      kind,
      generator: 'node',
      sent: this.sent,
      built: this.sent,
      ok: this.ok,
      non2xx: this.non2xx,
      errors: this.sent - this.count - unanswered,
      unanswered,
      firstError: this.firstError,
      elapsedMs: round(elapsedMs),
      rps: round(elapsedMs > 0 ? (this.ok * 1000) / elapsedMs : 0, 1),
      latency: summarize(this.latencies, this.count),
      sendLag: this.lags.length > 0 ? summarize(this.lags, this.sent) : undefined,
    };
  }
}

function newPool(origin: string, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
}

async function send(pool: Pool, path: string, delivery: SignedBody): Promise<number> {
  const { statusCode, body } = await pool.request({ method: 'POST', path, headers: delivery.headers, body: delivery.body });
  await body.dump();
  return statusCode;
}

/** Closed loop: `connections` senders back to back until the time or the request cap runs out. */
export async function runSaturation(origin: string, path: string, nextBody: () => SignedBody, plan: SaturationPlan): Promise<LoadResult> {
  const pool = newPool(origin, plan.connections);
  const tally = new Tally(plan.maxRequests, false);
  const started = performance.now();
  const deadline = started + plan.durationMs;
  let last = started;
  const sender = async () => {
    while (tally.sent < plan.maxRequests && performance.now() < deadline) {
      tally.sent++;
      const delivery = nextBody();
      const t0 = performance.now();
      try {
        const status = await send(pool, path, delivery);
        last = performance.now();
        tally.answered(status, last - t0);
      } catch (error) {
        tally.failed(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: plan.connections }, sender));
  } finally {
    await pool.destroy();
  }
  return tally.result('saturation', last - started);
}

/**
 * Open loop: request i is due at `start + i * 1000 / rate`, and is sent at once when it is due;
 * latency runs from the due time, so time the server (or a late generator) made a request wait is
 * counted, not hidden. `sendLag` reports the generator's own lateness separately.
 *
 * With `plan.pollClock` (the generator pinned to a CPU of its own, pinning.ts) the loop checks the
 * clock on every turn of the event loop (setImmediate), between the answers' I/O: a 1 ms timer
 * fires 1-2 ms apart, so requests went out up to 2 ms late (lag p50 0.6-0.9 ms, p99 2.6-4.7 ms at
 * 1,000/s), and that lateness went into every receiver's p99 alike. Polling keeps the generator's
 * CPU busy, so without a CPU of its own it waits on the timer as before.
 */
export async function runFixedRate(origin: string, path: string, nextBody: () => SignedBody, plan: FixedRatePlan): Promise<LoadResult> {
  const total = Math.max(1, Math.round((plan.ratePerSec * plan.durationMs) / 1000));
  const interval = 1000 / plan.ratePerSec;
  const pool = newPool(origin, plan.maxConnections);
  const tally = new Tally(total, true);
  const inFlight = new Set<Promise<void>>();
  const start = performance.now() + 2;
  let last = start;

  const fire = (index: number) => {
    const due = start + index * interval;
    tally.lags[tally.sent++] = performance.now() - due;
    const delivery = nextBody();
    const request = send(pool, path, delivery).then(
      (status) => {
        last = performance.now();
        tally.answered(status, last - due);
      },
      (error: unknown) => tally.failed(error),
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = now < start ? 0 : Math.min(total, Math.floor((now - start) / interval) + 1);
      while (tally.sent < due) fire(tally.sent);
      if (tally.sent >= total) return resolve();
      const wait = start + tally.sent * interval - performance.now();
      if (plan.pollClock && wait <= 2) setImmediate(tick);
      else setTimeout(tick, plan.pollClock ? wait - 1 : 1);
    };
    setImmediate(tick);
  });
  const drained = Promise.all(inFlight);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(resolve, plan.drainMs)))]);
  clearTimeout(timer);
  // Whatever is still in flight now was not answered in time; destroying the pool fails those
  // requests, which must not be counted (or reported) as transport errors.
  const unanswered = inFlight.size;
  const firstError = tally.firstError;
  await pool.destroy();
  tally.firstError = firstError;
  return tally.result('rate', last - start, unanswered);
}
