/**
 * Issue 10's targets for the scale section, checked against the run's own figures (every ratio
 * compares things measured in the same run, on the same server): PASS, MISS, or SKIP when the
 * section did not run. A cell whose answers were not all 2xx cannot pass.
 */
import type { Outcome } from '../results.ts';
import type { TargetResult } from '../targets.ts';
import type { ScaleCell, ScaleReport } from './scale-bench.ts';

const TARGETS = Object.freeze({
  /** One listener on Postgres against plain INSERTs at the same concurrency. */
  onePostgresOverBaselineMin: 0.7,
  /** Two listeners against one. */
  twoOverOneMin: 1.5,
  /** Handled/s by two workers against acknowledged/s by two listeners, during the burst. */
  handledOverAckedMin: 0.8,
  /** The burst's backlog is gone within this long after its end ("a few seconds"). */
  drainMaxMs: 5_000,
});

export function evaluateScaleTargets(scale: Outcome<ScaleReport>): TargetResult[] {
  const names = {
    baseline: `one listener on Postgres ≥ ${TARGETS.onePostgresOverBaselineMin}× plain INSERT at the same concurrency, deliveries/s`,
    twoOverOne: `two listeners on Postgres ≥ ${TARGETS.twoOverOneMin}× one, deliveries/s`,
    workers: `two workers handle ≥ ${TARGETS.handledOverAckedMin}× what two listeners acknowledge, during a burst at saturation`,
    drain: `the backlog a burst leaves is gone within ${TARGETS.drainMaxMs / 1000} s of its end`,
  };
  if (scale.status !== 'ok') {
    return [
      skip(names.baseline, `≥ ${TARGETS.onePostgresOverBaselineMin.toFixed(2)}×`, scale.reason),
      skip(names.twoOverOne, `≥ ${TARGETS.twoOverOneMin.toFixed(2)}×`, scale.reason),
      skip(names.workers, `≥ ${TARGETS.handledOverAckedMin.toFixed(2)}×`, scale.reason),
      skip(names.drain, `≤ ${TARGETS.drainMaxMs} ms`, scale.reason),
    ];
  }
  const report = scale.value;
  const cell = (name: ScaleCell['name']) => report.cells.find((c) => c.name === name);
  const one = cell('postgres-1');
  const two = cell('postgres-2');
  const { workers } = report;
  const results: TargetResult[] = [];

  results.push(
    one === undefined
      ? skip(names.baseline, `≥ ${TARGETS.onePostgresOverBaselineMin.toFixed(2)}×`, 'not measured')
      : ratio(names.baseline, TARGETS.onePostgresOverBaselineMin, one.rps, report.baseline.rps, one.failed === 0 && report.baseline.errors === 0),
  );
  results.push(
    one === undefined || two === undefined
      ? skip(names.twoOverOne, `≥ ${TARGETS.twoOverOneMin.toFixed(2)}×`, 'not measured')
      : ratio(names.twoOverOne, TARGETS.twoOverOneMin, two.rps, one.rps, two.failed === 0 && one.failed === 0),
  );
  results.push(ratio(names.workers, TARGETS.handledOverAckedMin, workers.handledPerSec, workers.ackedPerSec, workers.failed === 0));
  results.push({
    name: names.drain,
    target: `≤ ${TARGETS.drainMaxMs} ms`,
    measured: workers.drained
      ? `${Math.round(workers.drainMs)} ms (${workers.backlogAtEnd} owed at the end of a ${(workers.burstMs / 1000).toFixed(1)} s burst)`
      : `not gone after ${Math.round(workers.drainMs)} ms`,
    verdict: workers.drained && workers.drainMs <= TARGETS.drainMaxMs ? 'PASS' : 'MISS',
  });
  return results;
}

function ratio(name: string, min: number, measured: number, against: number, clean: boolean): TargetResult {
  const value = against > 0 ? measured / against : 0;
  return {
    name,
    target: `≥ ${min.toFixed(2)}×`,
    measured: `${value.toFixed(2)}× (${Math.round(measured)} / ${Math.round(against)})${clean ? '' : ', with errors'}`,
    verdict: value >= min && clean ? 'PASS' : 'MISS',
  };
}

function skip(name: string, target: string, reason: string): TargetResult {
  return { name, target, measured: reason.split('\n')[0] ?? reason, verdict: 'SKIP' };
}
