/** The machine a run was measured on: figures mean little without it. */
import { availableParallelism, cpus, loadavg, release, totalmem, type as osType } from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average when the run started (other work on the box skews every figure). */
  readonly loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown';
  return {
    cpu: cpu === '' ? 'unknown' : cpu,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()} (${process.platform}/${process.arch})`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One line for the console. */
export function describeMachine(info: MachineInfo): string {
  return `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.os}, load ${info.loadAverage1m}`;
}
