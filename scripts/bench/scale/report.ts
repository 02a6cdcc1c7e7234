/**
 * The scale section of the console report: the baseline and the listener cells in one table, then
 * the workers' burst in a sentence. `table` is the report's own table formatter (table.ts passes
 * it in, so this module does not import the report back).
 */
import type { formatTable } from '../table.ts';
import { failuresOf } from './figures.ts';
import type { ScaleReport } from './scale-bench.ts';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');

export function formatScale(report: ScaleReport, table: typeof formatTable): string[] {
  const { timing } = report;
  const out: string[] = [];
  out.push(
    `Postgres ${report.postgres}, a throwaway server of the bench's own (fsync and synchronous_commit on). Load: ${report.loadGenerator}; ` +
      `${timing.connections} connections per listener, closed loop, ${timing.saturationMs / 1000} s after ${timing.warmupMs / 1000} s warm-up; ${report.bodyBytes} B signed bodies, all distinct.`,
  );
  const rows = [
    [
      `plain INSERT, autocommit, ${timing.connections} clients`,
      String(Math.round(report.baseline.rps)),
      ms(report.baseline.latency.p50),
      ms(report.baseline.latency.p99),
      String(failuresOf(report.baseline)),
    ],
    [
      `plain INSERT, autocommit, ${2 * timing.connections} clients`,
      String(Math.round(report.baselineDoubled.rps)),
      ms(report.baselineDoubled.latency.p50),
      ms(report.baselineDoubled.latency.p99),
      String(failuresOf(report.baselineDoubled)),
    ],
    ...report.cells.map((c) => [c.label, String(Math.round(c.rps)), ms(c.p50), ms(c.p99), String(c.failed)]),
  ];
  out.push(table(['what', 'per s', 'p50 ms', 'p99 ms', 'failed'], rows));
  out.push(
    "(listeners: acknowledged deliveries/s and time to the answer; two listeners: their sum, and the slower one's times; INSERT: rows committed/s and time per INSERT)",
  );
  const duplicates = report.cells.filter((c) => (c.duplicates ?? 0) > 0);
  for (const c of duplicates) out.push(`  ${c.label}: ${c.duplicates} bodies repeated and were stored as duplicates: its figure includes the dedupe path.`);
  const w = report.workers;
  const gone = w.drained ? `gone ${(w.drainMs / 1000).toFixed(1)} s after it` : `NOT gone ${(w.drainMs / 1000).toFixed(1)} s after it`;
  out.push(
    `Workers: ${w.listeners} listeners and ${w.workers} \`npm run worker\` (WORKER_CONCURRENCY=${w.workerConcurrency}, the sample handler), a ${(w.burstMs / 1000).toFixed(1)} s burst at saturation: ` +
      `${Math.round(w.ackedPerSec)} acknowledged/s, ${Math.round(w.handledPerSec)} handled/s meanwhile; ${w.backlogAtEnd} still owed at its end, ${gone} ` +
      `(${w.done} of ${w.accepted} handled in the end${w.failed > 0 ? `; ${w.failed} requests failed` : ''}).`,
  );
  return out;
}
