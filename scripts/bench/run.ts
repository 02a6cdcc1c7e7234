/**
 * `npm run bench`: figures for the receiver, against baselines measured in the same run on the
 * same machine (issue 6). A receiver that is slow to acknowledge gets retried and duplicated
 * (seed 002: answer 2xx within 5 s), so the questions are: how fast does our listener answer,
 * how much does it cost next to a bare Node receiver, plain express and the tutorial's receiver,
 * and how long do the walkthrough and a single step take to start.
 *
 * Sections: start-up (npm start, step 1 cold, the tsx floor), delivery latency (sandbox → our
 * listener), receiver throughput (four baselines and ours, each in its own process, loaded from
 * another: wrk for saturation when it is installed, the Node generator for the fixed rate; the
 * two pinned to separate CPUs when taskset is there), scale (listeners and workers on a throwaway
 * Postgres, issue 10: see scale/scale-bench.ts). Prints a table, with PASS/MISS/SKIP per target
 * of issue 14 (each judged within this run), and writes JSON under the state folder.
 *
 * Run: npm run bench            (about 2.7 minutes on 2 cores; the scale section is ~55 s of it)
 *      npm run bench -- --quick (a smoke run; see --help)
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadConfig, type Config, generateSecret, formatError, isMain } from '../../steps/lib/core/index.ts';
import { machineInfo } from './machine.ts';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.ts';
import { attempt, RESULTS_SCHEMA, skipped, writeResults, type BenchResults, type Outcome, type StartupReport } from './results.ts';
import { BENCH_BAD_OPTION, BENCH_INTERRUPTED, BenchError } from './errors.ts';
import { interruption, killChildrenOnExit } from './spawn.ts';
import { formatReport } from './table.ts';
import { evaluateTargets } from './targets.ts';
import { removeTempDirsSync, withTempDir } from './temp.ts';
import type { ThroughputReport } from './throughput.ts';
import type { DeliveryReport } from './delivery-bench.ts';
import type { ScaleReport } from './scale/scale-bench.ts';
import { evaluateScaleTargets } from './scale/targets.ts';

export interface RunBenchDeps {
  readonly config: Config;
  /** Progress lines while the bench runs. */
  readonly log?: (line: string) => void;
}

/** Runs the selected sections, writes the JSON, and returns the results and the file written. */
export async function runBench(options: BenchOptions, deps: RunBenchDeps): Promise<{ results: BenchResults; file: string }> {
  const { config, log = () => {} } = deps;
  const startedAt = new Date();
  const t0 = performance.now();
  const machine = machineInfo();
  const wanted = (section: BenchOptions['sections'][number]) => options.sections.includes(section);
  const notSelected = skipped('not selected (--only)');

  if (wanted('startup')) log('Measuring start-up…');
  const startup = wanted('startup') ? await attempt(() => measureStartup(options, config)) : notSelected;
  if (wanted('delivery')) log('Measuring delivery latency…');
  // Imported here, so a missing or broken listener/sandbox fails this section only.
  const delivery: Outcome<DeliveryReport> = wanted('delivery')
    ? await attempt(async () => (await import('./delivery-bench.ts')).benchDelivery(config, options.delivery))
    : notSelected;
  if (wanted('throughput')) log('Measuring receiver throughput…');
  const throughput: Outcome<ThroughputReport> = wanted('throughput')
    ? await attempt(async () =>
        (await import('./throughput.ts')).runThroughput({
          receivers: options.receivers,
          generator: options.generator,
          pin: options.pin,
          bodySizes: options.bodySizes,
          timing: options.timing,
          // A fresh random secret per run; it only ever travels over IPC to our own children.
          secret: generateSecret(),
          receiverNodeFlags: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profilesDir(config)}`] : [],
          log,
        }),
      )
    : notSelected;

  if (wanted('scale')) log('Measuring listeners and workers on Postgres (scale)…');
  const scale: Outcome<ScaleReport> = wanted('scale') ? await measureScale(options, log) : notSelected;

  const { help: _help, ...recorded } = options;
  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
    quick: options.quick,
    options: recorded,
    machine,
    startup,
    delivery,
    throughput,
    scale,
    targets: [...evaluateTargets(throughput, startup), ...evaluateScaleTargets(scale)],
  };
  const signal = interruption();
  if (signal !== undefined) throw new BenchError(BENCH_INTERRUPTED, `Interrupted (${signal}): no results written.`);
  const file = await writeResults(config.stateDir, results);
  return { results, file };
}

/** The scale section, skipped (not failed) where PostgreSQL is not installed. */
async function measureScale(options: BenchOptions, log: (line: string) => void): Promise<Outcome<ScaleReport>> {
  const bench = await import('./scale/scale-bench.ts');
  const missing = await bench.scaleMissing();
  if (missing !== undefined) return skipped(missing);
  return attempt(() => bench.runScale({ timing: options.scale, secret: generateSecret(), log }));
}

function profilesDir(config: Config): string {
  return join(config.stateDir, 'bench', 'profiles');
}

async function measureStartup(options: BenchOptions, config: Config): Promise<StartupReport> {
  const bench = await import('./walkthrough-bench.ts');
  const missing = bench.walkthroughMissing();
  const pair = missing === undefined ? await attempt(() => bench.benchWalkthroughAndFloor(options.startupRuns)) : skipped(missing);
  const step1ColdStart = await attempt(() =>
    withTempDir('bench-sandbox-', async (stateDir) => {
      const { startSandbox, sandboxOptionsFromConfig } = await import('../sandbox/index.ts');
      const sandbox = await startSandbox({ ...sandboxOptionsFromConfig(config), host: '127.0.0.1', port: 0, stateDir });
      try {
        return await bench.benchStepColdStart(options.startupRuns, sandbox.port);
      } finally {
        await sandbox.close();
      }
    }),
  );
  if (pair.status !== 'ok') return { npmStart: pair, step1ColdStart, nodeTsxFloor: pair };
  return { npmStart: { status: 'ok', value: pair.value.npmStart }, step1ColdStart, nodeTsxFloor: { status: 'ok', value: pair.value.nodeTsxFloor } };
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const log = (line: string) => console.log(line);
  const { results, file } = await runBench(options, { config, log });
  console.log(formatReport(results, file, process.stdout.isTTY === true));
  if (options.cpuProf) {
    console.log(`CPU profiles: ${profilesDir(config)} (CPU.<date>.<time>.<pid>.…; the pids are in the progress lines above).`);
    console.log('Summarize one with: node --import tsx scripts/bench/profile-summary.ts <file.cpuprofile>');
  }
  // A target MISS is a finding, not a failure; a section that could not run is.
  return [results.startup, results.delivery, results.throughput, results.scale].some((s) => s.status === 'failed') ? 1 : 0;
}

if (isMain(import.meta.url)) {
  const release = killChildrenOnExit();
  process.on('exit', removeTempDirsSync);
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(formatError(error));
    // A wrong command line is a usage error (2), as for every other command; anything else failed (1).
    process.exitCode = error instanceof BenchError && error.code === BENCH_BAD_OPTION ? 2 : 1;
  } finally {
    release();
  }
}
