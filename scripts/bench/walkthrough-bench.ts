/**
 * Issue item 1: how long `npm start` takes (median of several runs, with the walkthrough's own
 * per-step breakdown) and the cold start of one step process (`npm run step:1` against a sandbox
 * this process starts). Both are run as `node --import tsx <file>`, the command npm would run,
 * but without npm's own ~300 ms, so the figure is the workbench's. Every run gets a fresh temp
 * state folder (nothing cached: a true cold run) and is pinned to the sandbox, whatever .env says.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../steps/lib/core/index.ts';
import { BENCH_CHILD_FAILED, BenchError } from './errors.ts';
import { runNode, type RunResult } from './spawn.ts';
import { median, round } from './stats.ts';
import { withTempDir } from './temp.ts';

const WALKTHROUGH_FILE = join(PROJECT_ROOT, 'scripts/walkthrough.ts');
const STEP1_FILE = join(PROJECT_ROOT, 'steps/01-get-token.ts');
const EMPTY_FILE = join(PROJECT_ROOT, 'scripts/bench/empty.ts');
const RUN_TIMEOUT_MS = 30_000;

/**
 * Variables that keep a child on the local sandbox and off the network: an empty
 * BRACKEN_CLIENT_ID overrides a real one from .env (loadEnvFile never replaces a set variable),
 * and no ngrok token means no tunnel.
 */
const SANDBOX_ONLY_ENV: Readonly<Record<string, string>> = Object.freeze({
  BRACKEN_CLIENT_ID: '',
  BRACKEN_CLIENT_SECRET: '',
  BRACKEN_IDENTITY_URL: '',
  BRACKEN_API_URL: '',
  NGROK_AUTHTOKEN: '',
  WEBHOOK_TARGET: '',
  NO_COLOR: '1',
});

export interface TimedRuns {
  /** The exact command measured (node flags included; npm is not in it). */
  readonly command: string;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
}

export interface WalkthroughReport extends TimedRuns {
  /** Median of each step's time over the runs, from `--timings-json`; empty when the walkthrough does not write it. */
  readonly steps: readonly { readonly name: string; readonly medianMs: number }[];
  /** Median of the walkthrough's own total (first step start to the end); wall time minus this is process start, imports and exit. */
  readonly insideMedianMs: number | undefined;
  /** Why `steps` is empty, when it is. */
  readonly stepsNote: string | undefined;
}

interface WalkthroughTimings {
  readonly steps: readonly { readonly name: string; readonly ms: number }[];
  readonly totalMs: number;
}

/** Why the walkthrough cannot be measured yet, or undefined when it can. */
export function walkthroughMissing(): string | undefined {
  return existsSync(WALKTHROUGH_FILE) ? undefined : 'scripts/walkthrough.ts does not exist yet';
}

/**
 * `npm start` and the empty `node --import tsx` process (the target compares the two), measured
 * alike: alternately, so a change in the machine's load during the runs affects both the same,
 * after one untimed run of each (tsx's transform cache and the file cache are warm, as they are
 * for anyone who has run `npm start` before). Each walkthrough run gets a fresh temp state folder.
 */
export async function benchWalkthroughAndFloor(runs: number): Promise<{ readonly npmStart: WalkthroughReport; readonly nodeTsxFloor: TimedRuns }> {
  await runFloorOnce();
  await runWalkthroughOnce();
  const runsMs: number[] = [];
  const floorMs: number[] = [];
  const stepTimes = new Map<string, number[]>();
  const insideMs: number[] = [];
  let stepsNote: string | undefined;
  for (let i = 0; i < runs; i++) {
    floorMs.push(round(await runFloorOnce(), 1));
    const { ms, timings } = await runWalkthroughOnce();
    runsMs.push(round(ms, 1));
    if (timings === undefined) {
      stepsNote = 'the walkthrough wrote no --timings-json file (flag not supported yet?)';
      continue;
    }
    if (Number.isFinite(timings.totalMs)) insideMs.push(timings.totalMs);
    for (const step of timings.steps) stepTimes.set(step.name, [...(stepTimes.get(step.name) ?? []), step.ms]);
  }
  const steps = [...stepTimes].map(([name, times]) => ({ name, medianMs: round(median(times), 1) }));
  return {
    npmStart: {
      command: 'node --import tsx scripts/walkthrough.ts --timings-json <tmp>',
      runsMs,
      medianMs: round(median(runsMs), 1),
      steps,
      insideMedianMs: insideMs.length > 0 ? round(median(insideMs), 1) : undefined,
      stepsNote: steps.length > 0 ? undefined : stepsNote,
    },
    nodeTsxFloor: { command: 'node --import tsx scripts/bench/empty.ts', runsMs: floorMs, medianMs: round(median(floorMs), 1) },
  };
}

/** One walkthrough in a fresh state folder, pinned to the sandbox: its wall time and its own per-step timings. */
function runWalkthroughOnce(): Promise<{ readonly ms: number; readonly timings: WalkthroughTimings | undefined }> {
  return withTempDir('bench-walkthrough-', async (dir) => {
    const timingsFile = join(dir, 'timings.json');
    const env = { ...SANDBOX_ONLY_ENV, WORKBENCH_STATE_DIR: join(dir, 'state'), SANDBOX_PORT: '0', LISTEN_PORT: '0', INSPECT_PORT: '0' };
    const result = await runNode(WALKTHROUGH_FILE, { args: ['--timings-json', timingsFile], env, timeoutMs: RUN_TIMEOUT_MS });
    ensureSucceeded('scripts/walkthrough.ts', result);
    return { ms: result.ms, timings: await readTimings(timingsFile) };
  });
}

/** The floor under every step: `node --import tsx` starting and doing nothing. */
async function runFloorOnce(): Promise<number> {
  const result = await runNode(EMPTY_FILE, { timeoutMs: RUN_TIMEOUT_MS });
  ensureSucceeded('scripts/bench/empty.ts', result);
  return result.ms;
}

/**
 * Cold start of `npm run step:1`: a new node process, tsx, config, one token request to the
 * sandbox at `sandboxPort`, state written. Each run gets an empty state folder, so no cached token.
 */
export async function benchStepColdStart(runs: number, sandboxPort: number): Promise<TimedRuns> {
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    await withTempDir('bench-step1-', async (dir) => {
      const env = { ...SANDBOX_ONLY_ENV, WORKBENCH_STATE_DIR: dir, SANDBOX_HOST: '127.0.0.1', SANDBOX_PORT: String(sandboxPort) };
      const result = await runNode(STEP1_FILE, { env, timeoutMs: RUN_TIMEOUT_MS });
      ensureSucceeded('steps/01-get-token.ts', result);
      runsMs.push(round(result.ms, 1));
    });
  }
  return { command: `node --import tsx steps/01-get-token.ts (SANDBOX_PORT=${sandboxPort})`, runsMs, medianMs: round(median(runsMs), 1) };
}

async function readTimings(file: string): Promise<WalkthroughTimings | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<WalkthroughTimings>;
  if (!Array.isArray(parsed.steps)) return undefined;
  return { steps: parsed.steps.filter((s) => typeof s.name === 'string' && typeof s.ms === 'number'), totalMs: Number(parsed.totalMs) };
}

function ensureSucceeded(what: string, result: RunResult): void {
  if (result.code === 0) return;
  throw new BenchError(BENCH_CHILD_FAILED, `${what} exited with ${result.code}: ${firstErrorLine(result)}`, {
    hint: `Run it by hand (${what.startsWith('steps/01') ? 'npm run step:1' : 'npm start'}) to see the whole output.`,
  });
}

/** The line that says what went wrong (not the stack under it), from stderr or else stdout. */
function firstErrorLine(result: RunResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const line = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines.at(-1) ?? '(no output)';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
