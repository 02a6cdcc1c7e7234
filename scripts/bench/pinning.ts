/**
 * Which CPUs the receiver and the load generator run on. On a 2-core machine an unpinned load
 * generator takes CPU from the receiver it measures, and the scheduler moves both around, which
 * compresses every ratio toward 1 (issue 14). With `taskset` (util-linux) the receiver gets the
 * first CPU this process may use and the load generator the next one, so they no longer compete
 * for a core. Without taskset, or with one CPU, nothing is pinned and the report says so.
 *
 * @example
 * const plan = await planPinning(true); // { receiverCpus: '0', generatorCpus: '1', note: 'receiver on CPU 0; …' }
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PinningPlan {
  /** taskset's CPU list for each receiver process, or undefined when not pinned. */
  readonly receiverCpus: string | undefined;
  /** taskset's CPU list for the load generator (wrk or the Node generator). */
  readonly generatorCpus: string | undefined;
  /** One line for the report. */
  readonly note: string;
}

const UNPINNED = (why: string): PinningPlan => ({ receiverCpus: undefined, generatorCpus: undefined, note: `not pinned: ${why}` });

/** Decides the CPUs; `wanted` false (--no-pin) leaves everything to the scheduler. */
export async function planPinning(wanted: boolean): Promise<PinningPlan> {
  if (!wanted) return UNPINNED('--no-pin');
  if (process.platform !== 'linux') return UNPINNED(`taskset is Linux-only (this is ${process.platform})`);
  let cpus: number[];
  try {
    // "pid 123's current affinity list: 0,1" (ranges such as 0-3,6 are possible).
    const { stdout } = await run('taskset', ['-cp', String(process.pid)], { timeout: 5_000 });
    cpus = parseCpuList(stdout.slice(stdout.lastIndexOf(':') + 1));
  } catch {
    return UNPINNED('taskset is not installed (Debian: util-linux)');
  }
  const [receiver, generator] = cpus;
  if (receiver === undefined || generator === undefined) return UNPINNED(`this process may use ${cpus.length} CPU only`);
  return {
    receiverCpus: String(receiver),
    generatorCpus: String(generator),
    note: `receiver on CPU ${receiver}, load generator on CPU ${generator} (taskset); ${cpus.length} CPUs available`,
  };
}

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}
