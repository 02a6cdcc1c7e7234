/** The parent's side of the load generator: spawn it once, run plans, stop it. */
import { fileURLToPath } from 'node:url';
import { BENCH_CHILD_FAILED, BenchError } from '../errors.ts';
import { spawnNode, type NodeChild } from '../spawn.ts';
import type { LoadPlan, LoadResult, LoadTarget, ResultMessage } from './types.ts';

const LOADGEN_CHILD = fileURLToPath(new URL('./loadgen-child.ts', import.meta.url));

export interface LoadGenerator {
  readonly child: NodeChild;
  run(target: LoadTarget, plan: LoadPlan): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Starts the load generator process (on `cpus` only, when given: see pinning.ts) and waits until it is ready. */
export async function startLoadGenerator(cpus?: string): Promise<LoadGenerator> {
  const child = spawnNode(LOADGEN_CHILD, { ipc: true, cpus });
  try {
    await child.message((m): m is { type: 'ready' } => 'type' in m && m.type === 'ready', 15_000);
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
  let nextId = 0;
  return {
    child,
    async run(target, plan) {
      const id = nextId++;
      child.send({ type: 'run', id, target, plan });
      // Its own duration, plus the drain, plus time to build bodies and start: a generous bound.
      const limit = plan.durationMs + (plan.kind === 'rate' ? plan.drainMs : 10_000) + 30_000;
      const answer = await child.message((m): m is ResultMessage => 'type' in m && m.type === 'result' && 'id' in m && m.id === id, limit);
      if (answer.result === undefined) throw new BenchError(BENCH_CHILD_FAILED, `The load generator failed: ${answer.error ?? 'no result'}`);
      return answer.result;
    },
    stop: () => child.stop(),
  };
}
