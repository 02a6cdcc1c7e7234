/** What the parent asks the load generator for, and what it gets back. */
import type { LatencySummary } from '../stats.ts';

export interface LoadTarget {
  /** e.g. http://127.0.0.1:41234 (loopback only). */
  readonly origin: string;
  readonly path: string;
  readonly secret: string;
  /** Every body is this size, and distinct (see bodies.ts). */
  readonly bodyBytes: number;
}

/** Closed loop: `connections` senders, each sending its next request as soon as the last is answered. */
export interface SaturationPlan {
  readonly kind: 'saturation';
  readonly connections: number;
  readonly durationMs: number;
  /** Hard cap on requests, so memory and time stay bounded whatever the server's speed. */
  readonly maxRequests: number;
}

/** Open loop: request i is due at start + i/rate, whether or not earlier ones were answered. */
export interface FixedRatePlan {
  readonly kind: 'rate';
  readonly ratePerSec: number;
  readonly durationMs: number;
  /** Connections the pool may open when answers fall behind. */
  readonly maxConnections: number;
  /** How long to wait for the last answers after the last send. */
  readonly drainMs: number;
  /**
   * Check the clock on every event-loop turn instead of a 1 ms timer, so requests go out when due:
   * only when the generator has a CPU of its own (pinned), since it keeps that CPU busy.
   */
  readonly pollClock: boolean;
}

export type LoadPlan = SaturationPlan | FixedRatePlan;

/** Which program sent the load: the Node generator (load/senders.ts) or wrk (load/wrk.ts). */
export type GeneratorName = 'node' | 'wrk';

export interface LoadResult {
  readonly kind: LoadPlan['kind'];
  readonly generator: GeneratorName;
  /** Requests sent (wrk: answered plus failed; it does not count the few in flight when it stops). */
  readonly sent: number;
  /**
   * Signed bodies the generator built. With wrk this is the Lua script's own count, and it must be
   * at least `sent`: fewer would mean wrk sent requests the script did not build (plain GETs).
   */
  readonly built: number;
  /** Requests answered with a 2xx. */
  readonly ok: number;
  /** Answers that were not 2xx, by status (wrk: all statuses ≥ 400 under one key, "≥400"). */
  readonly non2xx: Readonly<Record<string, number>>;
  /** Requests that failed at the transport level (refused, reset, timed out). */
  readonly errors: number;
  /** Fixed rate only: requests still unanswered when the drain ended (the server fell behind). */
  readonly unanswered: number;
  /** The first transport error, for the report. */
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
  /** 2xx answers per second over `elapsedMs`. */
  readonly rps: number;
  /**
   * Time to answer (response fully read), ms. For the fixed rate it is measured from the
   * scheduled send time, so a stalled server is charged for the requests it delayed
   * (no coordinated omission).
   */
  readonly latency: LatencySummary;
  /** Fixed rate only: how late the generator itself sent (actual − scheduled), ms. */
  readonly sendLag: LatencySummary | undefined;
}

/** Parent → load generator. */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly target: LoadTarget;
  readonly plan: LoadPlan;
}

/** Load generator → parent. */
export interface ResultMessage {
  readonly type: 'result';
  readonly id: number;
  readonly result?: LoadResult;
  readonly error?: string;
}
