/**
 * The targets, checked against this run's figures: PASS, MISS, or SKIP when the figure
 * was not measured. Ratios compare receivers measured in the same run on the same machine;
 * absolute targets (ms) hold only on a quiet 2-core machine and say so.
 */
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

/** Thresholds from the issue. */
const TARGETS = Object.freeze({
  oursOverExpressMin: 0.9,
  oursOverTutorialMin: 1,
  ackP99MaxMs: 10,
  npmStartMedianMaxMs: 1_500,
});

export function evaluateTargets(throughput: Outcome<ThroughputReport>, startup: Outcome<StartupReport>): TargetResult[] {
  const results: TargetResult[] = [];
  const bodySizes = throughput.status === 'ok' ? [...new Set(throughput.value.cells.map((c) => c.bodyBytes))] : [];
  const cell = (receiver: string, bytes: number): ThroughputCell | undefined =>
    throughput.status === 'ok' ? throughput.value.cells.find((c) => c.receiver === receiver && c.bodyBytes === bytes) : undefined;
  const noOurs = throughput.status === 'ok' ? throughput.value.skipped.find((s) => s.receiver === 'ours')?.reason : throughput.reason;

  for (const bytes of bodySizes.length > 0 ? bodySizes : [undefined]) {
    const size = bytes === undefined ? '' : `, ${bytes} B`;
    const ours = bytes === undefined ? undefined : cell('ours', bytes);
    const ratio = (baseline: string, min: number, label: string): TargetResult => {
      const base = bytes === undefined ? undefined : cell(baseline, bytes);
      const name = `ours ≥ ${min}× ${label} in requests/s${size}`;
      if (ours === undefined || base === undefined) return skip(name, `≥ ${min}×`, noOurs ?? `${label} not measured`);
      const value = ours.saturation.rps / base.saturation.rps;
      const clean = answeredCleanly(ours) && answeredCleanly(base);
      return {
        name,
        target: `≥ ${min.toFixed(2)}×`,
        measured: `${value.toFixed(2)}× (${Math.round(ours.saturation.rps)} / ${Math.round(base.saturation.rps)})${clean ? '' : ', with errors'}`,
        verdict: value >= min && clean ? 'PASS' : 'MISS',
      };
    };
    results.push(ratio('express', TARGETS.oursOverExpressMin, '(b)'));
    results.push(ratio('tutorial', TARGETS.oursOverTutorialMin, '(c)'));
    const ackName = `ours acknowledgement p99 ≤ ${TARGETS.ackP99MaxMs} ms at 1,000 deliveries/s${size}`;
    if (ours === undefined) results.push(skip(ackName, `≤ ${TARGETS.ackP99MaxMs} ms`, noOurs ?? 'not measured'));
    else {
      const p99 = ours.fixedRate.latency.p99;
      const clean = answeredCleanly(ours);
      results.push({
        name: ackName,
        target: `≤ ${TARGETS.ackP99MaxMs} ms`,
        measured: `${p99.toFixed(2)} ms${clean ? '' : ', with errors'}`,
        verdict: p99 <= TARGETS.ackP99MaxMs && clean ? 'PASS' : 'MISS',
      });
    }
  }

  const startName = `npm start median ≤ ${TARGETS.npmStartMedianMaxMs / 1000} s`;
  const npmStart = startup.status === 'ok' ? startup.value.npmStart : startup;
  if (npmStart.status !== 'ok') results.push(skip(startName, `≤ ${TARGETS.npmStartMedianMaxMs} ms`, npmStart.reason));
  else {
    const ms = npmStart.value.medianMs;
    results.push({
      name: startName,
      target: `≤ ${TARGETS.npmStartMedianMaxMs} ms`,
      measured: `${Math.round(ms)} ms`,
      verdict: ms <= TARGETS.npmStartMedianMaxMs ? 'PASS' : 'MISS',
    });
  }
  return results;
}

/** Every request answered with a 2xx: a receiver that drops or refuses requests cannot pass. */
function answeredCleanly(cell: ThroughputCell): boolean {
  const clean = (r: ThroughputCell['saturation']) => r.errors === 0 && r.unanswered === 0 && Object.keys(r.non2xx).length === 0;
  return clean(cell.saturation) && clean(cell.fixedRate);
}

function skip(name: string, target: string, reason: string): TargetResult {
  return { name, target, measured: reason.split('\n')[0] ?? reason, verdict: 'SKIP' };
}
