/**
 * The JSON a bench run writes: everything the table shows plus every raw figure behind it, in
 * `<stateDir>/bench/bench-<time>.json` and `<stateDir>/bench/latest.json` (never in the tree).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../steps/lib/core/index.ts';
import type { DeliveryReport } from './delivery-bench.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { TargetResult } from './targets.ts';
import type { ThroughputReport } from './throughput.ts';
import type { ScaleReport } from './scale/scale-bench.ts';
import type { TimedRuns, WalkthroughReport } from './walkthrough-bench.ts';

export const RESULTS_SCHEMA = 'bracken-webhook-workbench/bench@1';

/** A measurement that ran, or why it did not (`skipped`: not available; `failed`: it broke). */
export type Outcome<T> = { readonly status: 'ok'; readonly value: T } | { readonly status: 'skipped' | 'failed'; readonly reason: string };

export interface StartupReport {
  /** `npm start`, measured as `node --import tsx scripts/walkthrough.ts`. */
  readonly npmStart: Outcome<WalkthroughReport>;
  /** `npm run step:1`, measured as `node --import tsx steps/01-get-token.ts`, against an in-process sandbox. */
  readonly step1ColdStart: Outcome<TimedRuns>;
  /** `node --import tsx` on an empty file: the floor under both. */
  readonly nodeTsxFloor: Outcome<TimedRuns>;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly quick: boolean;
  readonly options: Omit<BenchOptions, 'help'>;
  readonly machine: MachineInfo;
  readonly startup: Outcome<StartupReport>;
  readonly delivery: Outcome<DeliveryReport>;
  readonly throughput: Outcome<ThroughputReport>;
  /** Listeners and workers on Postgres (issue 10). */
  readonly scale: Outcome<ScaleReport>;
  readonly targets: readonly TargetResult[];
}

/** Writes the results file and latest.json; returns the results file's path. */
export async function writeResults(stateDir: string, results: BenchResults): Promise<string> {
  const dir = join(stateDir, 'bench');
  const file = join(dir, `bench-${results.startedAt.replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(results, null, 2)}\n`;
  await writeFileAtomic(file, text);
  await writeFileAtomic(join(dir, 'latest.json'), text);
  return file;
}

/** Runs `measure`, turning a thrown error into a `failed` outcome (the other sections still run). */
export async function attempt<T>(measure: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'ok', value: await measure() };
  } catch (error) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

export function skipped(reason: string): Outcome<never> {
  return { status: 'skipped', reason };
}
