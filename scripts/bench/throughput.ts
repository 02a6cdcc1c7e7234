/**
 * Issue item 3: receiver throughput and acknowledgement latency. Each receiver (four baselines
 * and ours) runs in its own process, with a load generator process of its own (so none inherits
 * another's warm JIT). For each body size: a short warm-up of each, then closed-loop runs to
 * saturation in rounds, interleaved (every receiver once per round, in an order that rotates; a
 * first round not counted), and last an open-loop run of each at a fixed offered rate. A
 * receiver's saturation figure is its median round: on a shared VM the machine's speed drifts
 * from second to second, and interleaving spreads a slow moment over all the receivers instead
 * of leaving it on whichever ran then.
 *
 * Issue 14 item 2, measuring fairly: saturation is driven by wrk when it is installed (a C
 * program: far less CPU per request than the Node generator), else by the Node generator. The
 * fixed rate always uses the Node open-loop generator: Debian's wrk has no constant-rate mode.
 * With taskset, the receiver and the generator run on separate CPUs (pinning.ts).
 */
import { WEBHOOK_PATH } from '../../steps/lib/core/index.ts';
import { BENCH_BAD_OPTION, BenchError } from './errors.ts';
import { startLoadGenerator, type LoadGenerator } from './load/client.ts';
import type { GeneratorName, LoadResult, LoadTarget, SaturationPlan } from './load/types.ts';
import { findWrk, runWrk } from './load/wrk.ts';
import { planPinning, type PinningPlan } from './pinning.ts';
import { startReceiverProcess, type ReceiverProcess } from './receiver-process.ts';
import { RECEIVER_LABELS, type ReceiverName } from './receivers/types.ts';
import { round } from './stats.ts';
import { makeTempDir, removeTempDir } from './temp.ts';

export interface ThroughputTiming {
  readonly warmupMs: number;
  /** Length of one saturation round (wrk runs whole seconds). */
  readonly saturationMs: number;
  /** Saturation rounds per receiver and body size, interleaved across receivers; the median counts. */
  readonly saturationRounds: number;
  readonly rateMs: number;
  /** Concurrent connections at saturation. */
  readonly connections: number;
  /** The fixed offered rate, deliveries per second. */
  readonly ratePerSec: number;
  readonly drainMs: number;
  /** How long to let a receiver finish work queued behind its answers (our handler runs) between runs. */
  readonly settleTimeoutMs: number;
}

/** `--generator`: wrk when installed (auto), or one of them by name. */
export type GeneratorChoice = 'auto' | GeneratorName;

export interface ThroughputOptions {
  readonly receivers: readonly ReceiverName[];
  /** The saturation load generator. */
  readonly generator: GeneratorChoice;
  /** Pin the receiver and the generator to separate CPUs with taskset, when it is installed. */
  readonly pin: boolean;
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
  /** The saturation round with the median requests/s. */
  readonly saturation: LoadResult;
  /** Every saturation round, in the order run. */
  readonly saturationRounds: readonly LoadResult[];
  /** After the last saturation round, before the fixed-rate run (which therefore starts from quiet). */
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

/** Which generator measured what, and why. */
export interface GeneratorsUsed {
  readonly saturation: GeneratorName;
  /** Always the Node open-loop generator: Debian's wrk cannot hold a constant rate. */
  readonly fixedRate: 'node';
  /** `wrk --version`'s first line, when wrk ran. */
  readonly wrkVersion: string | undefined;
  /** Why the saturation generator is the one it is (e.g. "wrk is not installed"). */
  readonly why: string;
}

export interface ThroughputReport {
  readonly timing: ThroughputTiming;
  /** One line for the report: which generators, with which settings. */
  readonly loadGenerator: string;
  readonly generators: GeneratorsUsed;
  readonly pinning: PinningPlan;
  readonly receivers: readonly { readonly receiver: ReceiverName; readonly label: string; readonly description: string; readonly command: string }[];
  readonly cells: readonly ThroughputCell[];
  readonly skipped: readonly { readonly receiver: ReceiverName; readonly reason: string }[];
  readonly ratios: readonly ThroughputRatio[];
}

/** A receiver that started, with its load generator and how to saturate it. */
interface Running {
  readonly receiver: ReceiverName;
  readonly server: ReceiverProcess;
  readonly load: LoadGenerator;
  readonly saturate: Saturate;
}

/** Runs every cell, the saturation rounds interleaved; a receiver that cannot start is skipped with its reason. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputReport> {
  const { timing } = options;
  const cells: ThroughputCell[] = [];
  const skipped: { receiver: ReceiverName; reason: string }[] = [];
  const receivers: ThroughputReport['receivers'][number][] = [];
  const generators = await chooseGenerators(options.generator);
  const pinning = await planPinning(options.pin);
  options.log(`  saturation load: ${generators.saturation} (${generators.why}); CPUs: ${pinning.note}`);
  let loadGenerator = '';
  const running: Running[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    for (const receiver of options.receivers) {
      const stateDir = await makeTempDir(`bench-${receiver}-`);
      stops.push(() => removeTempDir(stateDir));
      // Both processes start at once (they are independent); whichever fails, both are stopped.
      const [server, load] = await Promise.allSettled([
        startReceiverProcess(receiver, { secret: options.secret, stateDir }, options.receiverNodeFlags, pinning.receiverCpus),
        startLoadGenerator(pinning.generatorCpus),
      ]);
      if (load.status === 'fulfilled') stops.push(() => load.value.stop());
      if (server.status === 'fulfilled') stops.push(() => server.value.stop());
      if (server.status === 'rejected') {
        const reason = server.reason instanceof Error ? server.reason.message : String(server.reason);
        skipped.push({ receiver, reason });
        options.log(`  skipped ${RECEIVER_LABELS[receiver]}: ${reason}`);
        continue;
      }
      if (load.status === 'rejected') throw load.reason;
      options.log(`  ${RECEIVER_LABELS[receiver]}: receiver pid ${server.value.child.pid}, load generator pid ${load.value.child.pid}`);
      receivers.push({ receiver, label: RECEIVER_LABELS[receiver], description: server.value.description, command: server.value.child.command });
      loadGenerator = describeGenerators(generators, load.value.child.command, timing.connections);
      let wrkRuns = 0;
      const saturate: Saturate = (target, plan) =>
        generators.saturation === 'wrk' ? runWrk(target, plan, { run: wrkRuns++, cpus: pinning.generatorCpus }) : load.value.run(target, plan);
      running.push({ receiver, server: server.value, load: load.value, saturate });
    }
    for (const bodyBytes of options.bodySizes) {
      cells.push(...(await runBodySize(running, bodyBytes, options, pinning.generatorCpus !== undefined)));
    }
  } finally {
    // Processes first (last started, first stopped), then their folders.
    for (const stop of stops.reverse()) await stop();
  }
  return { timing, loadGenerator, generators, pinning, receivers, cells, skipped, ratios: ratios(cells, options.bodySizes) };
}

/** Decides the saturation generator: wrk when asked for or (auto) when installed, else the Node generator. */
async function chooseGenerators(choice: GeneratorChoice): Promise<GeneratorsUsed> {
  const node = (why: string): GeneratorsUsed => ({ saturation: 'node', fixedRate: 'node', wrkVersion: undefined, why });
  if (choice === 'node') return node('--generator node');
  const wrk = await findWrk();
  if (wrk !== undefined) return { saturation: 'wrk', fixedRate: 'node', wrkVersion: wrk.version, why: choice === 'wrk' ? '--generator wrk' : 'installed' };
  if (choice === 'wrk')
    throw new BenchError(BENCH_BAD_OPTION, '--generator wrk: wrk is not installed.', { hint: 'apt-get install -y wrk, or leave --generator out.' });
  return node('wrk is not installed; apt-get install -y wrk to use it');
}

function describeGenerators(generators: GeneratorsUsed, nodeCommand: string, connections: number): string {
  const fixed = `fixed rate: the Node open-loop generator (undici Pool; ${nodeCommand})`;
  if (generators.saturation === 'node') return `saturation and ${fixed}. wrk not used: ${generators.why}`;
  return (
    `saturation: ${generators.wrkVersion ?? 'wrk'}, 1 thread, ${connections} connections, each request a distinct body signed by scripts/bench/load/wrk-signed.lua; ` +
    `${fixed}, because Debian's wrk has no constant-rate mode`
  );
}

type Saturate = (target: LoadTarget, plan: SaturationPlan) => Promise<LoadResult>;

/**
 * One body size for every receiver: a warm-up of each, the saturation rounds (each round runs
 * every receiver once, starting one further along each time, so none always follows the same
 * one), then the fixed rate of each.
 */
async function runBodySize(running: readonly Running[], bodyBytes: number, options: ThroughputOptions, generatorHasOwnCpu: boolean): Promise<ThroughputCell[]> {
  const { timing } = options;
  const targetOf = (r: Running): LoadTarget => ({ origin: r.server.origin, path: WEBHOOK_PATH, secret: options.secret, bodyBytes });
  const saturation = { kind: 'saturation', connections: timing.connections, maxRequests: 400_000 } as const;
  const settle = async (r: Running): Promise<Settle> => {
    const { ms, done } = await r.server.settle(timing.settleTimeoutMs);
    return { ms: round(ms, 1), done };
  };
  // The warm-up with the Node generator starts the JIT of both processes (any length; wrk runs whole seconds); the
  // uncounted first round below is what brings each receiver to full load before its figures count.
  for (const r of running) {
    await r.load.run(targetOf(r), { ...saturation, durationMs: timing.warmupMs });
    await settle(r);
  }
  const rounds = new Map<ReceiverName, { readonly results: LoadResult[]; settle: Settle }>();
  // Round 0 is not counted: a receiver's first run at full load was its slowest in every full run
  // measured (JIT, caches, the machine still busy from starting every process).
  for (let n = 0; n <= timing.saturationRounds; n++) {
    for (let i = 0; i < running.length; i++) {
      const r = running[(n + i) % running.length] as Running;
      const result = await r.saturate(targetOf(r), { ...saturation, durationMs: timing.saturationMs });
      const settled = await settle(r);
      if (n === 0) continue;
      const kept = rounds.get(r.receiver);
      if (kept === undefined) rounds.set(r.receiver, { results: [result], settle: settled });
      else {
        kept.results.push(result);
        kept.settle = settled;
      }
    }
  }
  const cells: ThroughputCell[] = [];
  for (const r of running) {
    const fixedRate = await r.load.run(targetOf(r), {
      kind: 'rate',
      ratePerSec: timing.ratePerSec,
      durationMs: timing.rateMs,
      maxConnections: timing.connections,
      drainMs: timing.drainMs,
      pollClock: generatorHasOwnCpu,
    });
    const settleAfterFixedRate = await settle(r);
    const { results, settle: settleAfterSaturation } = rounds.get(r.receiver) as { readonly results: LoadResult[]; settle: Settle };
    const median = medianRound(results);
    const all = results.map((x) => Math.round(x.rps)).join(', ');
    options.log(
      `  ${RECEIVER_LABELS[r.receiver].padEnd(26)} ${String(bodyBytes).padStart(6)} B  ${Math.round(median.rps)} req/s` +
        `${results.length > 1 ? ` (rounds: ${all})` : ''}, p99 ${fixedRate.latency.p99} ms at ${timing.ratePerSec}/s`,
    );
    cells.push({
      receiver: r.receiver,
      label: RECEIVER_LABELS[r.receiver],
      bodyBytes,
      saturation: median,
      saturationRounds: results,
      settleAfterSaturation,
      fixedRate,
      settleAfterFixedRate,
    });
  }
  return cells;
}

/** The round with the median requests/s (of an even count, the lower of the middle two). */
export function medianRound(results: readonly LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('medianRound: no rounds');
  return median;
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
