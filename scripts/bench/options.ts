/**
 * `npm run bench` options. The defaults are the full run (about 2.5 minutes on 2 cores); `--quick`
 * is a smoke run of about a second per cell, for CI and the smoke test: its figures are not
 * meant to be compared with anything.
 *
 * @example
 * parseBenchOptions(['--quick', '--only', 'throughput', '--receivers', 'bare,express'])
 */
import { parseArgs } from 'node:util';
import { BENCH_BAD_OPTION, BenchError } from './errors.ts';
import { DEFAULT_RECEIVERS, isReceiverName, RECEIVER_NAMES, type ReceiverName } from './receivers/types.ts';
import type { GeneratorChoice, ThroughputTiming } from './throughput.ts';
import type { ScaleTiming } from './scale/scale-bench.ts';

const SECTION_NAMES = ['startup', 'delivery', 'throughput', 'scale'] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** The body sizes the issue asks for: a typical small event and a large one. */
const DEFAULT_BODY_SIZES: readonly number[] = Object.freeze([300, 64 * 1024]);

export interface DeliveryPlan {
  /** Deliveries measured one at a time. */
  readonly sequential: number;
  /** Deliveries measured with `concurrency` user creations in flight. */
  readonly concurrent: number;
  readonly concurrency: number;
}

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly SectionName[];
  readonly receivers: readonly ReceiverName[];
  readonly bodySizes: readonly number[];
  /** Runs of `npm start`, of step 1 and of the bare tsx start (the median is reported). */
  readonly startupRuns: number;
  readonly delivery: DeliveryPlan;
  readonly timing: ThroughputTiming;
  /** The scale section (issue 10): listeners and workers on Postgres. */
  readonly scale: ScaleTiming;
  /** The saturation load generator: wrk when installed (auto), or the one named. */
  readonly generator: GeneratorChoice;
  /** Pin the receiver and the load generator to separate CPUs (taskset); --no-pin turns it off. */
  readonly pin: boolean;
  /** Write a V8 CPU profile of every receiver process into the results folder. */
  readonly cpuProf: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick              a smoke run (about a second per cell); figures are not comparable
  --only <list>        sections to run: ${SECTION_NAMES.join(',')} (default: all)
  --receivers <list>   receivers to load: ${RECEIVER_NAMES.join(',')} (default: ${DEFAULT_RECEIVERS.join(',')})
  --bodies <list>      body sizes in bytes (default: ${DEFAULT_BODY_SIZES.join(',')})
  --runs <n>           runs of npm start and of step 1 (default 5; --quick 1)
  --rounds <n>         saturation rounds per receiver and body size, interleaved; the median counts (default 5; --quick 1)
  --generator <name>   saturation load: auto (wrk if installed, else node), wrk, node (default auto)
  --no-pin             do not pin the receiver and the load generator to separate CPUs (taskset)
  --cpu-prof           write a CPU profile of each receiver process next to the results
  -h, --help           this help

Results: a table on stdout, and JSON in <state folder>/bench/bench-<time>.json and latest.json.`;

const FULL_TIMING: ThroughputTiming = {
  warmupMs: 1_000,
  saturationMs: 1_000,
  saturationRounds: 5,
  rateMs: 3_000,
  connections: 50,
  ratePerSec: 1_000,
  drainMs: 5_000,
  settleTimeoutMs: 10_000,
};
const QUICK_TIMING: ThroughputTiming = {
  warmupMs: 150,
  saturationMs: 400,
  saturationRounds: 1,
  rateMs: 300,
  connections: 50,
  ratePerSec: 1_000,
  drainMs: 5_000,
  settleTimeoutMs: 2_000,
};

const FULL_SCALE: ScaleTiming = { warmupMs: 1_000, saturationMs: 4_000, burstMs: 10_000, connections: 50, drainTimeoutMs: 30_000 };
const QUICK_SCALE: ScaleTiming = { warmupMs: 150, saturationMs: 400, burstMs: 1_000, connections: 50, drainTimeoutMs: 10_000 };

function readArgs(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        receivers: { type: 'string' },
        bodies: { type: 'string' },
        runs: { type: 'string' },
        rounds: { type: 'string' },
        generator: { type: 'string' },
        'no-pin': { type: 'boolean', default: false },
        'cpu-prof': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw bad((error as Error).message);
  }
}

/** Parses the command line; throws BenchError naming the bad option. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const values = readArgs(argv);
  const quick = values.quick;
  const sections = list(values.only, SECTION_NAMES, (s): s is SectionName => (SECTION_NAMES as readonly string[]).includes(s), '--only');
  const receivers = list(values.receivers, RECEIVER_NAMES, isReceiverName, '--receivers', DEFAULT_RECEIVERS);
  const bodySizes = values.bodies === undefined ? DEFAULT_BODY_SIZES : values.bodies.split(',').map((b) => whole(b.trim(), '--bodies', 200, 1024 * 1024));
  const startupRuns = values.runs === undefined ? (quick ? 1 : 5) : whole(values.runs, '--runs', 1, 50);
  const defaultTiming = quick ? QUICK_TIMING : FULL_TIMING;
  const timing = values.rounds === undefined ? defaultTiming : { ...defaultTiming, saturationRounds: whole(values.rounds, '--rounds', 1, 20) };
  return {
    quick,
    sections,
    receivers,
    bodySizes,
    startupRuns,
    delivery: quick ? { sequential: 10, concurrent: 50, concurrency: 50 } : { sequential: 100, concurrent: 500, concurrency: 50 },
    timing,
    scale: quick ? QUICK_SCALE : FULL_SCALE,
    generator: generatorChoice(values.generator),
    pin: !values['no-pin'],
    cpuProf: values['cpu-prof'],
    help: values.help,
  };
}

const GENERATOR_CHOICES: readonly GeneratorChoice[] = ['auto', 'wrk', 'node'];

function generatorChoice(raw: string | undefined): GeneratorChoice {
  if (raw === undefined) return 'auto';
  const choice = GENERATOR_CHOICES.find((name) => name === raw);
  if (choice === undefined) throw bad(`--generator ${JSON.stringify(raw)}: expected one of ${GENERATOR_CHOICES.join(', ')}`);
  return choice;
}

function list<T extends string>(raw: string | undefined, all: readonly T[], accept: (s: string) => s is T, flag: string, byDefault = all): readonly T[] {
  if (raw === undefined) return byDefault;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = items.filter((s) => !accept(s));
  if (unknown.length > 0 || items.length === 0) throw bad(`${flag} ${JSON.stringify(raw)}: expected a comma-separated list of ${all.join(', ')}`);
  return all.filter((name) => items.includes(name));
}

function whole(raw: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(`${flag} ${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  return n;
}

function bad(message: string): BenchError {
  return new BenchError(BENCH_BAD_OPTION, message, { hint: 'See npm run bench -- --help.' });
}
