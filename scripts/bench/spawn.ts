/**
 * The one way the bench starts a child process: `node --import tsx <file>`, never through npm
 * (npm adds ~300 ms of its own and would blur a cold-start figure). Baselines, our listener, the
 * load generator, the walkthrough and step 1 all go through `spawnNode`, so every server is
 * started with the same node flags. Every child is registered and killed when the bench ends,
 * fails or is interrupted (Ctrl-C), and every wait has a time limit.
 *
 * @example
 * const child = spawnNode(RECEIVER_CHILD, { ipc: true });
 * child.send({ type: 'start', receiver: 'bare', secret });
 * const ready = await child.message((m): m is ReadyMessage => m.type === 'ready', 10_000);
 * await child.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../../steps/lib/core/index.ts';
import { BENCH_CHILD_FAILED, BENCH_TIMEOUT, BenchError } from './errors.ts';

/** The node flags every bench child runs with: tsx, loaded the way `npm run …` scripts load it. */
const NODE_FLAGS: readonly string[] = Object.freeze(['--import', 'tsx']);

export interface SpawnOptions {
  readonly args?: readonly string[];
  /**
   * Variables to set in the child, over the inherited environment. The bench does not read them
   * itself: it passes them on, as any parent process does, and pins the ones that matter.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags after NODE_FLAGS, e.g. `--cpu-prof`. */
  readonly extraNodeFlags?: readonly string[];
  /** Open an IPC channel (for children that talk in messages). */
  readonly ipc?: boolean;
  /**
   * Run on these CPUs only (`taskset -c <list> node …`, see pinning.ts). taskset execs node, so the
   * pid, the IPC channel and every thread node starts later stay the same process, on those CPUs.
   */
  readonly cpus?: string | undefined;
}

export interface NodeChild {
  readonly pid: number;
  /** The command line, for the report: `node --import tsx scripts/…`. */
  readonly command: string;
  /** Sends a message over IPC. */
  send(message: unknown): void;
  /** The next IPC message that satisfies `accept`; rejects when the child exits first or after `timeoutMs`. */
  message<T extends object>(accept: (message: object) => message is T, timeoutMs: number): Promise<T>;
  /** Resolves with the exit code (or the signal's name) when the child has exited. */
  readonly exited: Promise<number | string>;
  /** The last few KiB of stderr, for error messages. */
  stderrTail(): string;
  /** Everything written to stdout (capped at 1 MiB). */
  stdout(): string;
  /** Asks the child to stop (`{type:'stop'}` over IPC, else SIGTERM), then SIGKILLs it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Running children, each with a promise that settles when it has exited (and been reaped). */
const live = new Map<ChildProcess, Promise<unknown>>();
const TAIL_BYTES = 8 * 1024;
const STDOUT_CAP = 1024 * 1024;

/** Starts `node --import tsx <file> …args` in the project root. */
export function spawnNode(file: string, options: SpawnOptions = {}): NodeChild {
  const argv = [...NODE_FLAGS, ...(options.extraNodeFlags ?? []), file, ...(options.args ?? [])];
  return spawnTracked(process.execPath, argv, options, ['node', ...argv].join(' ').replace(PROJECT_ROOT, ''));
}

/**
 * Starts any program the bench needs besides node (wrk), registered and stopped like a node child.
 * `command` is the line shown in the report.
 */
export function spawnProgram(program: string, args: readonly string[], options: Omit<SpawnOptions, 'args' | 'extraNodeFlags' | 'ipc'> = {}): NodeChild {
  return spawnTracked(program, args, options, [program, ...args].join(' '));
}

function spawnTracked(program: string, argv: readonly string[], options: SpawnOptions, command: string): NodeChild {
  const [file, args] = options.cpus === undefined ? [program, argv] : ['taskset', ['-c', options.cpus, program, ...argv]];
  const child = spawn(file, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc === true ? (['ipc'] as const) : [])],
  });
  let stderr = '';
  // A failed spawn or IPC write is also an 'error' event: without a listener it would crash the bench.
  child.on('error', (error) => {
    stderr = `${stderr}\n${error.message}`.slice(-TAIL_BYTES);
  });
  if (child.pid === undefined) throw new BenchError(BENCH_CHILD_FAILED, `Could not start ${command}.`);
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL_BYTES);
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < STDOUT_CAP) stdout += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  live.set(child, exited);
  return {
    pid: child.pid,
    command,
    exited,
    stderrTail: () => stderr,
    stdout: () => stdout,
    send(message) {
      // With a callback, a failed send (the child just died: EPIPE) is reported there instead of
      // as an 'error' event; the caller finds out from `exited` or from a message that never comes.
      if (child.connected) child.send(message as object, () => {});
    },
    message(accept, timeoutMs) {
      return new Promise((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const onMessage = (message: unknown) => {
          if (typeof message === 'object' && message !== null && accept(message)) {
            cleanup();
            resolve(message);
          }
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          reject(
            new BenchError(BENCH_CHILD_FAILED, `${command} exited (${code ?? signal}) before answering.${tail(stderr)}`, {
              hint: 'Run that command by hand to see the whole error.',
            }),
          );
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new BenchError(BENCH_TIMEOUT, `${command} did not answer within ${timeoutMs} ms.${tail(stderr)}`));
        }, timeoutMs);
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    },
    async stop(graceMs = 3_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' }, (error) => error && child.kill('SIGTERM'));
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface RunResult {
  readonly code: number | string;
  /** Wall time from spawn to exit, in milliseconds. */
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script to completion and times it; kills it (and rejects) after `timeoutMs`. */
export async function runNode(file: string, options: SpawnOptions & { readonly timeoutMs: number }): Promise<RunResult> {
  const started = performance.now();
  const child = spawnNode(file, options);
  const timer = setTimeout(() => void child.stop(500), options.timeoutMs);
  const code = await child.exited;
  const ms = performance.now() - started;
  clearTimeout(timer);
  if (ms >= options.timeoutMs) {
    throw new BenchError(BENCH_TIMEOUT, `${child.command} did not finish within ${options.timeoutMs} ms.${tail(child.stderrTail())}`);
  }
  return { code, ms, stdout: child.stdout(), stderr: child.stderrTail() };
}

/** Kills every child still running. Safe to call from an 'exit' handler (synchronous). */
function killAllChildren(): void {
  for (const child of live.keys()) child.kill('SIGKILL');
}

let interruptedBy: NodeJS.Signals | undefined;

/** The signal (Ctrl-C: SIGINT) that is ending this run, if any: results of a cut-short run are not written. */
export function interruption(): NodeJS.Signals | undefined {
  return interruptedBy;
}

/**
 * Kills the children on exit, and on Ctrl-C / SIGTERM before exiting with the usual 130 / 143.
 * Returns a function that removes the handlers again.
 */
export function killChildrenOnExit(): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    interruptedBy = signal;
    const exits = [...live.values()];
    killAllChildren();
    // Wait (briefly) until they are gone, so they are reaped here rather than left as zombies.
    const limit = new Promise((resolve) => setTimeout(resolve, 2_000).unref());
    void Promise.race([Promise.all(exits), limit]).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', killAllChildren);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('exit', killAllChildren);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').slice(-6).join('\n  ');
  return lines === '' ? '' : `\n  ${lines}`;
}
