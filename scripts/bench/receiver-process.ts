/**
 * Starts one receiver under test in its own process (receiver-child.ts) and waits until it
 * listens. Baselines and ours go through this one function: same spawn helper, same node flags.
 */
import { fileURLToPath } from 'node:url';
import { BENCH_CHILD_FAILED, BenchError } from './errors.ts';
import type { FailedMessage, ReadyMessage, ReceiverName, ReceiverOptions, SettledMessage } from './receivers/types.ts';
import { spawnNode, type NodeChild } from './spawn.ts';

export const RECEIVER_CHILD = fileURLToPath(new URL('./receiver-child.ts', import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface ReceiverProcess {
  readonly origin: string;
  readonly description: string;
  readonly child: NodeChild;
  /** Waits (at most `timeoutMs`) until work queued behind the answers is done; says how long it took. */
  settle(timeoutMs: number): Promise<{ readonly ms: number; readonly done: boolean }>;
  stop(): Promise<void>;
}

/**
 * Spawns the receiver and resolves once it listens; throws BenchError with its reason when it cannot start.
 * `cpus`: run it on these CPUs only (taskset, see pinning.ts).
 */
export async function startReceiverProcess(
  receiver: ReceiverName,
  options: ReceiverOptions,
  extraNodeFlags: readonly string[] = [],
  cpus?: string,
): Promise<ReceiverProcess> {
  const child = spawnNode(RECEIVER_CHILD, { ipc: true, extraNodeFlags, cpus });
  try {
    child.send({ type: 'start', receiver, options });
    const answer = await child.message((m): m is ReadyMessage | FailedMessage => 'type' in m && (m.type === 'ready' || m.type === 'failed'), START_TIMEOUT_MS);
    if (answer.type === 'failed') throw new BenchError(BENCH_CHILD_FAILED, `The ${receiver} receiver could not start: ${answer.message}`);
    return {
      origin: `http://127.0.0.1:${answer.port}`,
      description: answer.description,
      child,
      async settle(timeoutMs) {
        child.send({ type: 'settle', timeoutMs });
        const settled = await child.message((m): m is SettledMessage => 'type' in m && m.type === 'settled', timeoutMs + 5_000);
        return { ms: settled.ms, done: settled.done };
      },
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
}
