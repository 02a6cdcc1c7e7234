/**
 * The targets (issue 14 item 3), checked against this run's figures: PASS, MISS, or SKIP
 * when the figure was not measured or cannot be judged. Every target compares figures measured
 * in the same run on the same machine: ratios of receivers, the acknowledgement p99 only when
 * baseline (d) shows the disk was not stalling, and `npm start` against an empty tsx process.
 */
import { RECEIVER_LABELS, type ReceiverName } from './receivers/types.ts';
import type { Outcome, StartupReport } from './results.ts';
import type { ThroughputCell, ThroughputReport } from './throughput.ts';

export type Verdict = 'PASS' | 'MISS' | 'SKIP';

export interface TargetResult {
  readonly name: string;
  /** e.g. "≥ 0.90×". */
  readonly target: string;
  /** e.g. "0.95×", or the reason it was skipped. */
  readonly measured: string;
  readonly verdict: Verdict;
}

/** The body sizes the targets are set for. */
const SMALL = 300;
const LARGE = 64 * 1024;

/** Thresholds from the issue. */
const TARGETS = Object.freeze({
  /** At 300 B: ours ≥ 0.9× (b) express raw, ≥ 1× (c) the tutorial's receiver. */
  oursOverExpressMinSmall: 0.9,
  oursOverTutorialMin: 1,
  /** At 64 KiB, where writing the bytes to disk is the ceiling: ours ≥ 0.8× (d), ≥ 1× (c). */
  oursOverDurableMinLarge: 0.8,
  /** Ack p99 at 1,000/s, 300 B… */
  ackP99MaxMs: 10,
  /** …judged only when (d)'s own p99 in the same run shows the disk was not stalling. */
  durableP99MaxMsToJudgeAck: 5,
  /** `npm start` median ≤ 2× the median of an empty `node --import tsx`. */
  npmStartOverFloorMax: 2,
});

/** Every target, in the order the table prints them. */
export function evaluateTargets(throughput: Outcome<ThroughputReport>, startup: Outcome<StartupReport>): TargetResult[] {
  return [
    ratioTarget(throughput, SMALL, 'express', TARGETS.oursOverExpressMinSmall),
    ratioTarget(throughput, SMALL, 'tutorial', TARGETS.oursOverTutorialMin),
    ratioTarget(throughput, LARGE, 'durable', TARGETS.oursOverDurableMinLarge),
    ratioTarget(throughput, LARGE, 'tutorial', TARGETS.oursOverTutorialMin),
    ackTarget(throughput, SMALL),
    startTarget(startup),
  ];
}

/** Ours' requests/s over a baseline's, at one body size; MISS when either answered anything but 2xx. */
function ratioTarget(throughput: Outcome<ThroughputReport>, bytes: number, baseline: ReceiverName, min: number): TargetResult {
  const name = `ours ≥ ${min}× ${shortLabel(baseline)} in requests/s, ${size(bytes)}`;
  const target = `≥ ${min.toFixed(2)}×`;
  const ours = cell(throughput, 'ours', bytes);
  const base = cell(throughput, baseline, bytes);
  if (ours === undefined || base === undefined) return skip(name, target, whyMissing(throughput, ours === undefined ? 'ours' : baseline, bytes));
  const value = ours.saturation.rps / base.saturation.rps;
  const clean = answeredCleanly(ours) && answeredCleanly(base);
  return {
    name,
    target,
    measured: `${value.toFixed(2)}× (${Math.round(ours.saturation.rps)} / ${Math.round(base.saturation.rps)})${clean ? '' : ', with errors'}`,
    verdict: value >= min && clean ? 'PASS' : 'MISS',
  };
}

/**
 * Ours' acknowledgement p99 at the fixed rate. Every acknowledgement waits for an fdatasync, so a
 * disk that stalls makes every durable receiver slow; (d) is the same fdatasync with nothing else,
 * and when its own p99 is over the bound the disk, not our code, set the figure: SKIP, saying so.
 */
function ackTarget(throughput: Outcome<ThroughputReport>, bytes: number): TargetResult {
  const { ackP99MaxMs, durableP99MaxMsToJudgeAck } = TARGETS;
  const name = `ours acknowledgement p99 ≤ ${ackP99MaxMs} ms at 1,000 deliveries/s, ${size(bytes)} (judged when (d) p99 ≤ ${durableP99MaxMsToJudgeAck} ms)`;
  const target = `≤ ${ackP99MaxMs} ms`;
  const ours = cell(throughput, 'ours', bytes);
  const durable = cell(throughput, 'durable', bytes);
  if (ours === undefined || durable === undefined) return skip(name, target, whyMissing(throughput, ours === undefined ? 'ours' : 'durable', bytes));
  const p99 = ours.fixedRate.latency.p99;
  const durableP99 = durable.fixedRate.latency.p99;
  if (!(durableP99 <= durableP99MaxMsToJudgeAck)) {
    return skip(name, target, `disk stall, (d) p99 ${durableP99.toFixed(2)} ms (ours ${p99.toFixed(2)} ms)`);
  }
  const clean = answeredCleanly(ours);
  return {
    name,
    target,
    measured: `${p99.toFixed(2)} ms, (d) ${durableP99.toFixed(2)} ms${clean ? '' : ', with errors'}`,
    verdict: p99 <= ackP99MaxMs && clean ? 'PASS' : 'MISS',
  };
}

/** `npm start` against the empty tsx process, both medians from this run. */
function startTarget(startup: Outcome<StartupReport>): TargetResult {
  const max = TARGETS.npmStartOverFloorMax;
  const name = `npm start median ≤ ${max}× an empty node --import tsx`;
  const target = `≤ ${max.toFixed(2)}×`;
  if (startup.status !== 'ok') return skip(name, target, startup.reason);
  const { npmStart, nodeTsxFloor } = startup.value;
  if (npmStart.status !== 'ok') return skip(name, target, npmStart.reason);
  if (nodeTsxFloor.status !== 'ok') return skip(name, target, `the empty process was not measured: ${nodeTsxFloor.reason}`);
  const ratio = npmStart.value.medianMs / nodeTsxFloor.value.medianMs;
  return {
    name,
    target,
    measured: `${ratio.toFixed(2)}× (${Math.round(npmStart.value.medianMs)} ms / ${Math.round(nodeTsxFloor.value.medianMs)} ms)`,
    verdict: ratio <= max ? 'PASS' : 'MISS',
  };
}

function cell(throughput: Outcome<ThroughputReport>, receiver: ReceiverName, bytes: number): ThroughputCell | undefined {
  return throughput.status === 'ok' ? throughput.value.cells.find((c) => c.receiver === receiver && c.bodyBytes === bytes) : undefined;
}

/** Why a cell is missing: the section did not run, the receiver could not start, or the size or receiver was not selected. */
function whyMissing(throughput: Outcome<ThroughputReport>, receiver: ReceiverName, bytes: number): string {
  if (throughput.status !== 'ok') return throughput.reason;
  const skipped = throughput.value.skipped.find((s) => s.receiver === receiver)?.reason;
  return skipped ?? `${shortLabel(receiver)} at ${size(bytes)} not measured`;
}

/** Every request answered with a 2xx: a receiver that drops or refuses requests cannot pass. */
function answeredCleanly(cell: ThroughputCell): boolean {
  const clean = (r: ThroughputCell['saturation']) => r.errors === 0 && r.unanswered === 0 && Object.keys(r.non2xx).length === 0;
  return cell.saturationRounds.every(clean) && clean(cell.fixedRate);
}

/** "(b)" for a baseline, "ours" for ours. */
function shortLabel(receiver: ReceiverName): string {
  return RECEIVER_LABELS[receiver].split(' ')[0] ?? receiver;
}

function size(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

function skip(name: string, target: string, reason: string): TargetResult {
  return { name, target, measured: reason.split('\n')[0] ?? reason, verdict: 'SKIP' };
}
