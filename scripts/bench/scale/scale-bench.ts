/**
 * Issue 10, item 6: when one machine is not enough. On a throwaway PostgreSQL of its own (as
 * installed: fsync and synchronous_commit on, every commit flushed), in one run:
 * - the ceiling: plain INSERTs through `pg`, autocommit (one COMMIT each), at the listeners'
 *   concurrency and at twice that;
 * - deliveries/s and acknowledgement latency at saturation for one listener on the file store, one
 *   on Postgres, and two on Postgres (each listener loaded by its own generator process, as two
 *   listeners behind a load balancer are);
 * - two `npm run worker` processes behind two listeners: a burst at saturation, how many
 *   deliveries the workers handle meanwhile, and how long the backlog it leaves takes to go.
 *
 * Every process (listeners, workers, load generators, the INSERT runner) is its own, started by
 * `spawnNode`; every part gets a database of its own, so none inherits another's rows or jobs.
 */
import { createDatabase, postgresBinDir, startThrowawayPostgres, type ThrowawayPostgres, withClient } from '../../postgres/throwaway.ts';
import { WEBHOOK_PATH } from '../../../steps/lib/core/index.ts';
import { type LoadGenerator, startLoadGenerator } from '../load/client.ts';
import type { LoadResult, LoadTarget } from '../load/types.ts';
import { withTempDir } from '../temp.ts';
import { totalFailures, totalRps } from './figures.ts';
import { type ScaleProcess, startInsertRunner, startScaleProcess, withProcesses } from './processes.ts';
import { type Load, measureWorkers, type WorkersRun } from './workers.ts';

export interface ScaleTiming {
  readonly warmupMs: number;
  /** Each listener cell's closed-loop run. */
  readonly saturationMs: number;
  /** The burst the workers have to keep up with. */
  readonly burstMs: number;
  /** Connections per listener (and the baseline's clients). */
  readonly connections: number;
  /** How long to wait for the backlog after the burst before giving up. */
  readonly drainTimeoutMs: number;
}

export interface ScaleOptions {
  readonly timing: ScaleTiming;
  readonly secret: string;
  readonly log: (line: string) => void;
}

/** Delivery bodies in this section: a typical small event. */
export const SCALE_BODY_BYTES = 300;

export type ScaleCellName = 'file-1' | 'postgres-1' | 'postgres-2';

export interface ScaleCell {
  readonly name: ScaleCellName;
  readonly label: string;
  /** One result per listener, each from its own load generator. */
  readonly perListener: readonly LoadResult[];
  /** Acknowledged deliveries/s, all listeners together. */
  readonly rps: number;
  /** The worst listener's median and p99 acknowledgement time, ms. */
  readonly p50: number;
  readonly p99: number;
  /** Answers that were not 2xx, transport errors: all listeners together. */
  readonly failed: number;
  /** Postgres cells: rows stored as duplicates (0 unless two bodies repeated: every body is meant to be distinct). */
  readonly duplicates: number | undefined;
}

export interface ScaleReport {
  readonly postgres: string;
  readonly bodyBytes: number;
  readonly timing: ScaleTiming;
  readonly loadGenerator: string;
  /** Plain INSERT, autocommit, `connections` clients. */
  readonly baseline: LoadResult;
  /** The same with twice the clients: the ceiling for two listeners' load. */
  readonly baselineDoubled: LoadResult;
  readonly cells: readonly ScaleCell[];
  readonly workers: WorkersRun;
}

/** Why the section cannot run here, or undefined when it can. */
export async function scaleMissing(): Promise<string | undefined> {
  try {
    await postgresBinDir();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const LABELS: Readonly<Record<ScaleCellName, string>> = {
  'file-1': 'one listener, file journal',
  'postgres-1': 'one listener, Postgres',
  'postgres-2': 'two listeners, Postgres',
};

/** Runs the whole section on a throwaway server, then stops it and removes its folder. */
export async function runScale(options: ScaleOptions): Promise<ScaleReport> {
  const server = await startThrowawayPostgres({ label: 'bench', durable: true });
  // Ctrl-C ends the bench with process.exit: the server must not outlive it.
  const stopOnExit = () => server.stopSync();
  process.on('exit', stopOnExit);
  const generators: LoadGenerator[] = [];
  try {
    generators.push(...(await Promise.all([startLoadGenerator(), startLoadGenerator()])));
    return await measure(server, generators as [LoadGenerator, LoadGenerator], options);
  } finally {
    await Promise.all(generators.map((generator) => generator.stop()));
    await server.stop();
    process.off('exit', stopOnExit);
  }
}

async function measure(server: ThrowawayPostgres, [genA, genB]: [LoadGenerator, LoadGenerator], options: ScaleOptions): Promise<ScaleReport> {
  const { timing, secret, log } = options;
  const version = await withClient(
    server.url,
    async (client) => (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?',
  );
  const saturation = (durationMs: number) => ({ kind: 'saturation', connections: timing.connections, durationMs, maxRequests: 400_000 }) as const;
  const target = (listener: ScaleProcess): LoadTarget => ({ origin: listener.origin, path: WEBHOOK_PATH, secret, bodyBytes: SCALE_BODY_BYTES });
  /** A closed-loop run on every listener at once, listener i loaded by generator i. */
  const load: Load = (listeners, durationMs) =>
    Promise.all(listeners.map((listener, i) => (i === 0 ? genA : genB).run(target(listener), saturation(durationMs))));
  const warmThenLoad = async (listeners: readonly ScaleProcess[]) => {
    await load(listeners, timing.warmupMs);
    return load(listeners, timing.saturationMs);
  };
  const duplicates = async (url: string) =>
    Number(
      (await withClient(url, (client) => client.query<{ n: string }>("SELECT count(*) AS n FROM workbench.delivery WHERE handler = 'duplicate'"))).rows[0]?.n,
    );

  log(`  PostgreSQL ${version} on port ${server.port} (throwaway, fsync and synchronous_commit on); load generator pids ${genA.child.pid}, ${genB.child.pid}`);
  const inserts = startInsertRunner();
  let baseline: LoadResult;
  let baselineDoubled: LoadResult;
  try {
    const databaseUrl = await createDatabase(server.url, 'baseline');
    const plan = { databaseUrl, bodyBytes: SCALE_BODY_BYTES, maxRequests: 400_000 };
    await inserts.run({ ...plan, connections: timing.connections, durationMs: timing.warmupMs });
    baseline = await inserts.run({ ...plan, connections: timing.connections, durationMs: timing.saturationMs });
    baselineDoubled = await inserts.run({ ...plan, connections: 2 * timing.connections, durationMs: timing.saturationMs });
  } finally {
    await inserts.stop();
  }
  log(`  plain INSERT, ${timing.connections} clients: ${Math.round(baseline.rps)}/s; ${2 * timing.connections} clients: ${Math.round(baselineDoubled.rps)}/s`);

  const cells: ScaleCell[] = [];
  const cell = (name: ScaleCellName, perListener: LoadResult[], dupes: number | undefined): ScaleCell => {
    const made: ScaleCell = {
      name,
      label: LABELS[name],
      perListener,
      rps: totalRps(perListener),
      p50: Math.max(...perListener.map((r) => r.latency.p50)),
      p99: Math.max(...perListener.map((r) => r.latency.p99)),
      failed: totalFailures(perListener),
      duplicates: dupes,
    };
    log(`  ${made.label.padEnd(28)} ${Math.round(made.rps)} deliveries/s, p99 ${made.p99} ms`);
    cells.push(made);
    return made;
  };

  await withTempDir('bench-scale-', async (stateDir) => {
    await withProcesses([startScaleProcess({ role: 'file-listener', secret, stateDir })], async (listeners) => {
      cell('file-1', await warmThenLoad(listeners), undefined);
    });
  });

  for (const [name, count] of [
    ['postgres-1', 1],
    ['postgres-2', 2],
  ] as const) {
    const databaseUrl = await createDatabase(server.url, name.replace('-', '_'));
    const starts = Array.from({ length: count }, () => startScaleProcess({ role: 'postgres-listener', secret, databaseUrl }));
    await withProcesses(starts, async (listeners) => {
      const results = await warmThenLoad(listeners);
      cell(name, results, await duplicates(databaseUrl));
    });
  }

  const workers = await measureWorkers(server, {
    secret,
    warmupMs: timing.warmupMs,
    burstMs: timing.burstMs,
    drainTimeoutMs: timing.drainTimeoutMs,
    load,
    log,
  });
  return {
    postgres: version,
    bodyBytes: SCALE_BODY_BYTES,
    timing,
    loadGenerator: `undici Pool, one process per listener: ${genA.child.command}`,
    baseline,
    baselineDoubled,
    cells,
    workers,
  };
}
