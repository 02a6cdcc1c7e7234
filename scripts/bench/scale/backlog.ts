/**
 * Counts, straight from `workbench.delivery`, how far the workers are behind the listeners: first
 * copies stored, handled (`done`), and still owed a run (`pending`, `running`, `failed`). One
 * connection of its own; samples are kept with their time, for the report's JSON.
 *
 * @example
 * const watch = await watchBacklog(databaseUrl);
 * const sampling = watch.every(250); ...; sampling.stop();
 * const last = await watch.until((s) => s.owed === 0, 30_000);
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { round } from '../stats.ts';

export interface BacklogSample {
  /** ms since the watch started (or was restarted). */
  readonly t: number;
  /** First copies stored (a job each). */
  readonly accepted: number;
  readonly done: number;
  /** Still owed a handler run. */
  readonly owed: number;
}

export interface BacklogWatch {
  /** Counts now, and keeps the sample. */
  sample(): Promise<BacklogSample>;
  /** Samples every `ms` until stopped. */
  every(ms: number): { stop(): void };
  /** Samples every 100 ms until `done` says so or `timeoutMs` passed; the last sample. */
  until(done: (sample: BacklogSample) => boolean, timeoutMs: number): Promise<BacklogSample>;
  /** Time starts again from 0, and the samples so far are dropped. */
  restart(): void;
  samples(): readonly BacklogSample[];
  close(): Promise<void>;
}

const COUNT = `SELECT count(*) FILTER (WHERE duplicate_of IS NULL AND verdict = 'valid') AS accepted,
  count(*) FILTER (WHERE handler = 'done') AS done,
  count(*) FILTER (WHERE handler IN ('pending', 'running', 'failed')) AS owed
  FROM workbench.delivery`;
const UNTIL_EVERY_MS = 100;

export async function watchBacklog(databaseUrl: string): Promise<BacklogWatch> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench backlog' });
  await client.connect();
  let t0 = performance.now();
  let kept: BacklogSample[] = [];

  const sample = async (): Promise<BacklogSample> => {
    const { rows } = await client.query<{ accepted: string; done: string; owed: string }>(COUNT);
    const row = rows[0];
    const taken = { t: round(performance.now() - t0, 1), accepted: Number(row?.accepted), done: Number(row?.done), owed: Number(row?.owed) };
    kept.push(taken);
    return taken;
  };

  return {
    sample,
    every(ms) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = () => {
        timer = setTimeout(() => {
          void sample()
            .catch(() => undefined)
            .then(() => {
              if (!stopped) tick();
            });
        }, ms);
      };
      tick();
      return {
        stop() {
          stopped = true;
          clearTimeout(timer);
        },
      };
    },
    async until(done, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      let last = await sample();
      while (!done(last) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, UNTIL_EVERY_MS));
        last = await sample();
      }
      return last;
    },
    restart() {
      t0 = performance.now();
      kept = [];
    },
    samples: () => kept,
    close: () => client.end(),
  };
}
