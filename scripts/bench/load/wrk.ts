/**
 * wrk as the saturation load generator (issue 14 item 2): a C program with its own event loop, far
 * cheaper per request than the Node generator, so on a 2-core machine it leaves the receiver's
 * core alone. Debian's package (`apt-get install -y wrk`) is used when it is installed.
 *
 * Every request is a distinct, signed POST built by load/wrk-signed.lua from the same template as
 * the Node generator's bodies. Each run is checked: wrk's own counts say how many answers were
 * statuses ≥ 400 or transport errors (both make a target MISS), and the script's count of bodies
 * it built must cover every answer, or the run is refused (wrk sends plain GETs when its script
 * does not load). Debian's wrk has no constant-rate mode (that is wrk2), so the fixed-rate latency
 * stays with the Node open-loop generator.
 *
 * @example
 * const wrk = await findWrk(); // { version: 'wrk debian/4.1.0-3+b2 [epoll]' } or undefined
 * const result = await runWrk(target, { kind: 'saturation', connections: 50, durationMs: 4000, maxRequests: 400_000 }, { run: 0 });
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { counterDigits, deliveryTemplate } from '../bodies.ts';
import { BENCH_CHILD_FAILED, BENCH_TIMEOUT, BenchError } from '../errors.ts';
import { spawnProgram } from '../spawn.ts';
import { round } from '../stats.ts';
import { withTempDir } from '../temp.ts';
import type { LoadResult, LoadTarget, SaturationPlan } from './types.ts';

const WRK_SCRIPT = fileURLToPath(new URL('./wrk-signed.lua', import.meta.url));
/** Same give-up time as the Node generator's requests. */
const REQUEST_TIMEOUT_S = 10;
/** wrk's counters start here, far from the Node generator's (which count from 0), 10⁷ apart per run. */
const FIRST_COUNTER = 100_000_000;
const COUNTERS_PER_RUN = 10_000_000;

export interface WrkInfo {
  /** The first line of `wrk --version`, e.g. "wrk debian/4.1.0-3+b2 [epoll]". */
  readonly version: string;
}

/** wrk's version when it is installed (on PATH), undefined when it is not. */
export function findWrk(): Promise<WrkInfo | undefined> {
  return new Promise((resolve) => {
    // `wrk --version` prints its version and usage and exits 1: the output says whether it is there.
    execFile('wrk', ['--version'], { timeout: 5_000 }, (_exitedNonZero, stdout) => {
      const first = stdout.split('\n')[0]?.trim() ?? '';
      resolve(first.startsWith('wrk ') ? { version: first.replace(/\s+Copyright.*$/, '') } : undefined);
    });
  });
}

export interface WrkRunOptions {
  /** The n-th wrk run against this receiver process: it gets its own counter range (distinct bodies). */
  readonly run: number;
  /** taskset CPU list for wrk (pinning.ts). */
  readonly cpus?: string | undefined;
}

/** What done() in wrk-signed.lua prints. */
interface WrkSummary {
  readonly requests: number;
  readonly durationUs: number;
  readonly built: number;
  readonly errors: { readonly connect: number; readonly read: number; readonly write: number; readonly status: number; readonly timeout: number };
  readonly latencyUs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
}

/** wrk's command line for one closed-loop run: one thread (one core), `connections` connections. */
export function wrkArgs(target: LoadTarget, plan: SaturationPlan, specFile: string, first: string): string[] {
  const seconds = Math.max(1, Math.round(plan.durationMs / 1000)); // wrk takes whole seconds
  return [
    '-t1',
    `-c${plan.connections}`,
    `-d${seconds}s`,
    '--timeout',
    `${REQUEST_TIMEOUT_S}s`,
    '-s',
    WRK_SCRIPT,
    `${target.origin}${target.path}`,
    '--',
    specFile,
    first,
  ];
}

/** Runs wrk once to saturation and returns its figures in the Node generator's shape. */
export function runWrk(target: LoadTarget, plan: SaturationPlan, options: WrkRunOptions): Promise<LoadResult> {
  return withTempDir('bench-wrk-', async (dir) => {
    const template = deliveryTemplate({ bytes: target.bodyBytes });
    const specFile = join(dir, 'spec');
    // The secret stays in a private temp file, never on a command line.
    await writeFile(specFile, [target.secret, template.head, template.middle, template.tail, ''].join('\n'), { mode: 0o600 });
    const first = counterDigits(FIRST_COUNTER + options.run * COUNTERS_PER_RUN);
    const child = spawnProgram('wrk', wrkArgs(target, plan, specFile, first), { cpus: options.cpus });
    const limitMs = plan.durationMs + 30_000;
    const timer = setTimeout(() => void child.stop(500), limitMs);
    const code = await child.exited;
    clearTimeout(timer);
    const line = /^WRK_RESULT (\{.*\})$/m.exec(child.stdout())?.[1];
    if (line === undefined) {
      const why = code === 'SIGTERM' || code === 'SIGKILL' ? `did not finish within ${limitMs} ms` : `exited (${code}) without its result line`;
      throw new BenchError(
        code === 'SIGTERM' || code === 'SIGKILL' ? BENCH_TIMEOUT : BENCH_CHILD_FAILED,
        `wrk ${why}: ${tail(child.stderrTail() || child.stdout())}`,
        {
          hint: 'Run the bench with --generator node to use the Node load generator instead.',
        },
      );
    }
    return toLoadResult(JSON.parse(line) as WrkSummary);
  });
}

/** wrk's summary as a LoadResult; refuses a run in which wrk answered requests the script did not build. */
export function toLoadResult(summary: WrkSummary): LoadResult {
  const { connect, read, write, status, timeout } = summary.errors;
  const transport = connect + read + write + timeout;
  if (summary.built < summary.requests) {
    throw new BenchError(
      BENCH_CHILD_FAILED,
      `wrk got ${summary.requests} answers but its script built only ${summary.built} signed bodies: the other requests were not signed POSTs.`,
      { hint: 'Check scripts/bench/load/wrk-signed.lua loads (run wrk by hand with -s), or use --generator node.' },
    );
  }
  const elapsedMs = summary.durationUs / 1000;
  const ok = summary.requests - status;
  const ms = (us: number) => round(us / 1000);
  return {
    kind: 'saturation',
    generator: 'wrk',
    sent: summary.requests + transport,
    built: summary.built,
    ok,
    non2xx: status > 0 ? { '≥400': status } : {},
    errors: transport,
    unanswered: 0,
    firstError: transport > 0 ? `wrk errors: connect ${connect}, read ${read}, write ${write}, timeout ${timeout}` : undefined,
    elapsedMs: round(elapsedMs),
    rps: round(elapsedMs > 0 ? (ok * 1000) / elapsedMs : 0, 1),
    latency: {
      count: summary.requests,
      p50: ms(summary.latencyUs.p50),
      p99: ms(summary.latencyUs.p99),
      max: ms(summary.latencyUs.max),
      mean: ms(summary.latencyUs.mean),
    },
    sendLag: undefined,
  };
}

function tail(text: string): string {
  const lines = text.trim().split('\n').slice(-4).join(' | ');
  return lines === '' ? '(no output)' : lines;
}
