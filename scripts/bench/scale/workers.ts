/**
 * The scale section's last part: two listeners and two `npm run worker` processes on one
 * database, a burst at saturation on both listeners, the deliveries the workers finish meanwhile
 * (counted in `workbench.delivery`), and how long the backlog the burst leaves takes to go.
 * The workers run the sample handler with the default WORKER_CONCURRENCY, as `npm run worker`
 * does out of the box.
 */
import { createDatabase, type ThrowawayPostgres } from '../../postgres/throwaway.ts';
import { loadConfig } from '../../../steps/lib/core/index.ts';
import type { LoadResult } from '../load/types.ts';
import { round } from '../stats.ts';
import { type BacklogSample, watchBacklog } from './backlog.ts';
import { totalFailures, totalRps } from './figures.ts';
import { type ScaleProcess, startScaleProcess, withProcesses } from './processes.ts';

export interface WorkersRun {
  readonly listeners: number;
  readonly workers: number;
  readonly workerConcurrency: number;
  readonly perListener: readonly LoadResult[];
  /** Deliveries/s the listeners acknowledged during the burst. */
  readonly ackedPerSec: number;
  readonly burstMs: number;
  /** Deliveries the workers finished during the burst, and per second. */
  readonly handledDuringBurst: number;
  readonly handledPerSec: number;
  /** Deliveries still owed a handler run when the burst ended. */
  readonly backlogAtEnd: number;
  /** From the end of the burst until nothing was owed (or the timeout). */
  readonly drainMs: number;
  readonly drained: boolean;
  /** First copies stored, and handled, in the end (all of them, when drained). */
  readonly accepted: number;
  readonly done: number;
  /** Counts every SAMPLE_EVERY_MS during the burst, then while it drained (ms since the burst started). */
  readonly samples: readonly BacklogSample[];
  readonly failed: number;
}

/** A closed-loop run of `durationMs` on every listener at once, each from its own load generator. */
export type Load = (listeners: readonly ScaleProcess[], durationMs: number) => Promise<LoadResult[]>;

export interface WorkersOptions {
  readonly secret: string;
  readonly warmupMs: number;
  readonly burstMs: number;
  readonly drainTimeoutMs: number;
  readonly load: Load;
  readonly log: (line: string) => void;
}

/** How often the backlog is counted during the burst. */
const SAMPLE_EVERY_MS = 250;

/** Two listeners and two workers started together on a new database: a burst, then the wait for its backlog. */
export async function measureWorkers(server: ThrowawayPostgres, options: WorkersOptions): Promise<WorkersRun> {
  const { secret, load, log } = options;
  const databaseUrl = await createDatabase(server.url, 'workers');
  const starts = [
    startScaleProcess({ role: 'postgres-listener', secret, databaseUrl }),
    startScaleProcess({ role: 'postgres-listener', secret, databaseUrl }),
    startScaleProcess({ role: 'worker', databaseUrl }),
    startScaleProcess({ role: 'worker', databaseUrl }),
  ];
  return withProcesses(starts, async (processes) => {
    const listeners = processes.slice(0, 2);
    const watch = await watchBacklog(databaseUrl);
    try {
      // The warm-up's deliveries are handled before the burst, so the burst starts from an empty queue.
      await load(listeners, options.warmupMs);
      await watch.until((sample) => sample.owed === 0, options.drainTimeoutMs);
      watch.restart();
      const before = await watch.sample();
      const sampling = watch.every(SAMPLE_EVERY_MS);
      const perListener = await load(listeners, options.burstMs);
      sampling.stop();
      const atEnd = await watch.sample();
      const last = await watch.until((sample) => sample.owed === 0, options.drainTimeoutMs);
      const burstMs = atEnd.t - before.t;
      const handled = atEnd.done - before.done;
      const run: WorkersRun = {
        listeners: listeners.length,
        workers: processes.length - listeners.length,
        workerConcurrency: loadConfig({ env: {} }).handlers.workerConcurrency,
        perListener,
        ackedPerSec: totalRps(perListener),
        burstMs: round(burstMs, 1),
        handledDuringBurst: handled,
        handledPerSec: round((handled * 1000) / burstMs, 1),
        backlogAtEnd: atEnd.owed,
        drainMs: round(last.t - atEnd.t, 1),
        drained: last.owed === 0,
        accepted: last.accepted,
        done: last.done,
        samples: watch.samples(),
        failed: totalFailures(perListener),
      };
      const gone = run.drained ? `gone ${(run.drainMs / 1000).toFixed(1)} s later` : `still ${last.owed} after ${options.drainTimeoutMs / 1000} s`;
      log(
        `  two workers: ${Math.round(run.handledPerSec)} handled/s against ${Math.round(run.ackedPerSec)} acknowledged/s; backlog ${run.backlogAtEnd} at the end of the burst, ${gone}`,
      );
      return run;
    } finally {
      await watch.close();
    }
  });
}
