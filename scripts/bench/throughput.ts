/**
 * Issue item 3: receiver throughput and acknowledgement latency. For each receiver (three
 * baselines and ours), in its own process: a short warm-up, a closed-loop run to saturation,
 * then an open-loop run at a fixed offered rate, for each body size. The load generator is a
 * separate process too, started fresh for each receiver so none inherits another's warm JIT.
 */
import { WEBHOOK_PATH } from '../../steps/lib/core/index.ts';
import { startLoadGenerator, type LoadGenerator } from './load/client.ts';
import type { LoadResult, LoadTarget } from './load/types.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';
import { RECEIVER_LABELS, type ReceiverName } from './receivers/types.ts';
import { round } from './stats.ts';
import { withTempDir } from './temp.ts';

export interface ThroughputTiming {
  readonly warmupMs: number;
  readonly saturationMs: number;
  readonly rateMs: number;
  /** Concurrent connections at saturation. */
  readonly connections: number;
  /** The fixed offered rate, deliveries per second. */
  readonly ratePerSec: number;
  readonly drainMs: number;
  /** How long to let a receiver finish work queued behind its answers (our handler runs) between runs. */
  readonly settleTimeoutMs: number;
}

export interface ThroughputOptions {
  readonly receivers: readonly ReceiverName[];
  readonly bodySizes: readonly number[];
  readonly timing: ThroughputTiming;
  readonly secret: string;
  /** Extra node flags for every receiver process alike (e.g. `--cpu-prof`). */
  readonly receiverNodeFlags?: readonly string[];
  readonly log: (line: string) => void;
}

/** Time a receiver needed, after a run, to finish the work it had queued behind its answers. */
export interface Settle {
  readonly ms: number;
  /** False when it was still busy at `settleTimeoutMs`. */
  readonly done: boolean;
}

export interface ThroughputCell {
  readonly receiver: ReceiverName;
  readonly label: string;
  readonly bodyBytes: number;
  readonly saturation: LoadResult;
  /** After the saturation run, before the fixed-rate run (which therefore starts from quiet). */
  readonly settleAfterSaturation: Settle;
  readonly fixedRate: LoadResult;
  readonly settleAfterFixedRate: Settle;
}

export interface ThroughputRatio {
  readonly bodyBytes: number;
  /** ours requests/s ÷ the baseline's; undefined when either is missing. */
  readonly oursOverBare: number | undefined;
  readonly oursOverExpress: number | undefined;
  readonly oursOverTutorial: number | undefined;
  /** Against (d): what ours costs beyond durability itself. */
  readonly oursOverDurable: number | undefined;
}

export interface ThroughputReport {
  readonly timing: ThroughputTiming;
  readonly loadGenerator: string;
  readonly receivers: readonly { readonly receiver: ReceiverName; readonly label: string; readonly description: string; readonly command: string }[];
  readonly cells: readonly ThroughputCell[];
  readonly skipped: readonly { readonly receiver: ReceiverName; readonly reason: string }[];
  readonly ratios: readonly ThroughputRatio[];
}

/** Runs every cell, receiver by receiver; a receiver that cannot start is skipped with its reason. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputReport> {
  const { timing } = options;
  const cells: ThroughputCell[] = [];
  const skipped: { receiver: ReceiverName; reason: string }[] = [];
  const receivers: ThroughputReport['receivers'][number][] = [];
  let loadGenerator = '';

  for (const receiver of options.receivers) {
    await withTempDir(`bench-${receiver}-`, async (stateDir) => {
      // Both processes start at once (they are independent); whichever fails, both are stopped.
      const [server, load] = await Promise.allSettled([
        startReceiverProcess(receiver, { secret: options.secret, stateDir }, options.receiverNodeFlags),
        startLoadGenerator(),
      ]);
      try {
        if (server.status === 'rejected') {
          const reason = server.reason instanceof Error ? server.reason.message : String(server.reason);
          skipped.push({ receiver, reason });
          options.log(`  skipped ${RECEIVER_LABELS[receiver]}: ${reason}`);
          return;
        }
        if (load.status === 'rejected') throw load.reason;
        options.log(`  ${RECEIVER_LABELS[receiver]}: receiver pid ${server.value.child.pid}, load generator pid ${load.value.child.pid}`);
        receivers.push({ receiver, label: RECEIVER_LABELS[receiver], description: server.value.description, command: server.value.child.command });
        loadGenerator = `undici Pool, own process: ${load.value.child.command}`;
        for (const bodyBytes of options.bodySizes) {
          cells.push(await runCell(load.value, server.value, receiver, bodyBytes, options));
        }
      } finally {
        if (load.status === 'fulfilled') await load.value.stop();
        if (server.status === 'fulfilled') await server.value.stop();
      }
    });
  }
  return { timing, loadGenerator, receivers, cells, skipped, ratios: ratios(cells, options.bodySizes) };
}

/** Warm-up, saturation, then the fixed rate, for one receiver and one body size. */
async function runCell(
  load: LoadGenerator,
  server: ReceiverProcess,
  receiver: ReceiverName,
  bodyBytes: number,
  options: ThroughputOptions,
): Promise<ThroughputCell> {
  const { timing } = options;
  const target: LoadTarget = { origin: server.origin, path: WEBHOOK_PATH, secret: options.secret, bodyBytes };
  const saturation = { kind: 'saturation', connections: timing.connections, maxRequests: 400_000 } as const;
  const settle = async (): Promise<Settle> => {
    const { ms, done } = await server.settle(timing.settleTimeoutMs);
    return { ms: round(ms, 1), done };
  };
  await load.run(target, { ...saturation, durationMs: timing.warmupMs });
  await settle();
  const atSaturation = await load.run(target, { ...saturation, durationMs: timing.saturationMs });
  const settleAfterSaturation = await settle();
  const fixedRate = await load.run(target, {
    kind: 'rate',
    ratePerSec: timing.ratePerSec,
    durationMs: timing.rateMs,
    maxConnections: timing.connections,
    drainMs: timing.drainMs,
  });
  const settleAfterFixedRate = await settle();
  options.log(
    `  ${RECEIVER_LABELS[receiver].padEnd(26)} ${String(bodyBytes).padStart(6)} B  ${Math.round(atSaturation.rps)} req/s, ` +
      `p99 ${fixedRate.latency.p99} ms at ${timing.ratePerSec}/s`,
  );
  return { receiver, label: RECEIVER_LABELS[receiver], bodyBytes, saturation: atSaturation, settleAfterSaturation, fixedRate, settleAfterFixedRate };
}

function ratios(cells: readonly ThroughputCell[], bodySizes: readonly number[]): ThroughputRatio[] {
  return bodySizes.map((bodyBytes) => {
    const rps = (receiver: ReceiverName) => cells.find((c) => c.receiver === receiver && c.bodyBytes === bodyBytes)?.saturation.rps;
    const ours = rps('ours');
    const over = (baseline: ReceiverName) => {
      const base = rps(baseline);
      return ours === undefined || base === undefined || base <= 0 ? undefined : round(ours / base, 2);
    };
    return { bodyBytes, oursOverBare: over('bare'), oursOverExpress: over('express'), oursOverTutorial: over('tutorial'), oursOverDurable: over('durable') };
  });
}
