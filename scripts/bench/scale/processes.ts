/**
 * The parent's side of the scale section's children (child.ts): a listener or a worker started
 * and waited for, and the baseline's INSERT runner. Each is its own process, started by
 * `spawnNode` like every other bench child, so none shares an event loop or a core with another.
 */
import { fileURLToPath } from 'node:url';
import { BENCH_CHILD_FAILED, BenchError } from '../errors.ts';
import type { LoadResult } from '../load/types.ts';
import { type NodeChild, spawnNode } from '../spawn.ts';
import type { ChildReply, ChildStart, InsertPlan } from './messages.ts';

const SCALE_CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/** Connecting, migrating and starting pg-boss on a loaded machine takes a few seconds. */
const START_TIMEOUT_MS = 30_000;

type StartOf<R extends ChildStart['role']> = Omit<Extract<ChildStart, { role: R }>, 'type'>;

export interface ScaleProcess {
  /** http://127.0.0.1:<port> for a listener. */
  readonly origin: string;
  readonly child: NodeChild;
  stop(): Promise<void>;
}

/** Starts a listener or a worker and resolves once it is ready; throws BenchError with its reason when it cannot start. */
export async function startScaleProcess(start: StartOf<'file-listener'> | StartOf<'postgres-listener'> | StartOf<'worker'>): Promise<ScaleProcess> {
  const child = spawnNode(SCALE_CHILD, { ipc: true });
  try {
    child.send({ type: 'start', ...start });
    const answer = await child.message(isReply('ready'), START_TIMEOUT_MS);
    if (answer.type === 'failed') throw new BenchError(BENCH_CHILD_FAILED, `The ${start.role} could not start: ${answer.message}`);
    return { origin: `http://127.0.0.1:${answer.port}`, child, stop: () => child.stop() };
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
}

export interface InsertRunner {
  readonly child: NodeChild;
  run(plan: InsertPlan): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** A process for the baseline's INSERT runs (one at a time). */
export function startInsertRunner(): InsertRunner {
  const child = spawnNode(SCALE_CHILD, { ipc: true });
  return {
    child,
    async run(plan) {
      child.send({ type: 'start', role: 'inserts', plan });
      const answer = await child.message(isReply('inserted'), plan.durationMs + START_TIMEOUT_MS);
      if (answer.type === 'failed') throw new BenchError(BENCH_CHILD_FAILED, `The baseline INSERTs failed: ${answer.message}`);
      return answer.result;
    },
    stop: () => child.stop(),
  };
}

type Failed = Extract<ChildReply, { type: 'failed' }>;

/** Accepts the awaited reply, or a failure. */
function isReply<T extends Exclude<ChildReply['type'], 'failed'>>(type: T) {
  return (message: object): message is Extract<ChildReply, { type: T }> | Failed => 'type' in message && (message.type === type || message.type === 'failed');
}

/** Starts processes together; runs `body` once all are up; stops them all, whatever happens. */
export async function withProcesses<T>(starts: readonly Promise<ScaleProcess>[], body: (processes: ScaleProcess[]) => Promise<T>): Promise<T> {
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return await body(started);
  } finally {
    await Promise.all(started.map((process) => process.stop()));
  }
}
