/**
 * The console report: one table per section, the targets with PASS/MISS/SKIP, the machine, and
 * where the JSON went. Plain text with aligned columns; colour only on a terminal.
 */
import { styleText } from 'node:util';
import { describeMachine } from './machine.ts';
import type { BenchResults, Outcome } from './results.ts';
import type { Verdict } from './targets.ts';
import { formatScale } from './scale/report.ts';

type Row = readonly string[];

/** Left-aligns the first column, right-aligns the others. */
export function formatTable(header: Row, rows: readonly Row[]): string {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  const line = (row: Row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');

/** The whole report as text (no trailing newline). */
export function formatReport(results: BenchResults, file: string | undefined, color = false): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (color ? styleText(style, text) : text);
  const out: string[] = [];
  const heading = (text: string) => out.push('', paint('bold', text));
  const notRun = (outcome: Outcome<unknown>) => outcome.status !== 'ok' && out.push(`  ${outcome.status}: ${outcome.reason}`);

  out.push(paint('bold', `Bench ${results.quick ? '(--quick: smoke figures, not comparable) ' : ''}${results.startedAt}`));
  out.push(`Machine: ${describeMachine(results.machine)}`);

  heading('Receiver throughput and acknowledgement latency (POST /webhooks, signed Bracken JSON)');
  const tp = results.throughput;
  notRun(tp);
  if (tp.status === 'ok') {
    const t = tp.value.timing;
    const g = tp.value.generators;
    const saturationSeconds = g.saturation === 'wrk' ? Math.max(1, Math.round(t.saturationMs / 1000)) : t.saturationMs / 1000;
    const counted = t.saturationRounds > 1 ? `${t.saturationRounds} rounds of ${saturationSeconds} s` : `one round of ${saturationSeconds} s`;
    const saturationRuns = `${counted} after a first one not counted, the receivers interleaved round by round (req/s and sat p50/p99: the median round)`;
    out.push(`Load generator: ${paint('bold', g.saturation === 'wrk' ? 'wrk' : 'Node')} for saturation (${g.why}), Node for the fixed rate.`);
    out.push(`  ${tp.value.loadGenerator}`);
    out.push(
      `  saturation = ${t.connections} connections, closed loop, ${saturationRuns}, after a ${t.warmupMs / 1000} s warm-up; fixed rate = ${t.ratePerSec}/s open loop for ${t.rateMs / 1000} s, latency from the scheduled send.`,
    );
    out.push(`CPUs: ${tp.value.pinning.note}.`);
    out.push(`Servers: each in its own process, started alike: ${tp.value.receivers[0]?.command ?? '-'}`);
    const rows = tp.value.cells.map((c) => [
      c.label,
      `${c.bodyBytes} B`,
      String(Math.round(c.saturation.rps)),
      ms(c.saturation.latency.p50),
      ms(c.saturation.latency.p99),
      ms(c.fixedRate.latency.p50),
      ms(c.fixedRate.latency.p99),
      ms(c.fixedRate.sendLag?.p99 ?? Number.NaN),
      String([...c.saturationRounds, c.fixedRate].reduce((sum, r) => sum + r.errors + r.unanswered + countOf(r.non2xx), 0)),
    ]);
    out.push(
      formatTable(['receiver', 'body', 'req/s', 'sat p50', 'sat p99', `@${t.ratePerSec}/s p50`, `@${t.ratePerSec}/s p99`, 'gen lag p99', 'failed'], rows),
    );
    out.push(
      '(times in ms; "gen lag": how late the generator itself sent, included in the fixed-rate times; "failed": answers not 2xx, transport errors, and requests unanswered when the run ended)',
    );
    for (const c of tp.value.cells) {
      // Only receivers that work after answering (ours: the handler) have anything to report here.
      for (const [after, settle] of [
        ['saturation', c.settleAfterSaturation],
        ['the fixed rate', c.settleAfterFixedRate],
      ] as const) {
        if (settle.ms < 50 && settle.done) continue;
        const took = settle.done ? `took ${(settle.ms / 1000).toFixed(1)} s to finish` : `were still running after ${(settle.ms / 1000).toFixed(1)} s`;
        out.push(`  ${c.label}, ${c.bodyBytes} B: the handler runs queued behind the answers ${took} after ${after}.`);
      }
    }
    for (const s of tp.value.skipped) out.push(`  skipped ${s.receiver}: ${s.reason}`);
    const ratioRows = tp.value.ratios.map((r) => [
      `${r.bodyBytes} B`,
      ratio(r.oursOverBare),
      ratio(r.oursOverExpress),
      ratio(r.oursOverTutorial),
      ratio(r.oursOverDurable),
    ]);
    out.push('', formatTable(['req/s ratio', 'ours/(a)', 'ours/(b)', 'ours/(c)', 'ours/(d)'], ratioRows));
  }

  heading('Delivery latency (user created via the sandbox API → verified, journaled delivery at our listener)');
  const dl = results.delivery;
  notRun(dl);
  if (dl.status === 'ok') {
    out.push(
      formatTable(
        ['concurrency', 'deliveries', 'lost', 'p50 ms', 'p99 ms', 'max ms'],
        dl.value.cells.map((c) => [String(c.concurrency), String(c.deliveries), String(c.lost), ms(c.latency.p50), ms(c.latency.p99), ms(c.latency.max)]),
      ),
    );
  }

  heading('Start-up (wall time of a new process; npm itself adds ~300 ms on top and is not measured)');
  out.push('npm start and the empty process run alternately, after one untimed run of each (warm caches).');
  const st = results.startup;
  notRun(st);
  if (st.status === 'ok') {
    const parts = [
      ['npm start', st.value.npmStart],
      ['npm run step:1 (cold)', st.value.step1ColdStart],
      ['node --import tsx (empty)', st.value.nodeTsxFloor],
    ] as const;
    const rows = parts.map(
      ([name, part]): Row =>
        part.status === 'ok'
          ? [name, ms(part.value.medianMs), part.value.runsMs.map((r) => r.toFixed(0)).join(' '), part.value.command]
          : [name, '-', part.status, '(see below)'],
    );
    out.push(formatTable(['what', 'median ms', 'runs', 'command measured'], rows));
    for (const [name, part] of parts) if (part.status !== 'ok') out.push(`  ${name} ${part.status}: ${part.reason}`);
    if (st.value.npmStart.status === 'ok') {
      const w = st.value.npmStart.value;
      if (w.steps.length > 0) {
        const rows = w.steps.map((s): Row => [s.name, ms(s.medianMs)]);
        if (w.insideMedianMs !== undefined) {
          const inSteps = w.steps.reduce((sum, s) => sum + s.medianMs, 0);
          rows.push(['(walkthrough, between steps: sandbox start, closing)', ms(w.insideMedianMs - inSteps)]);
          rows.push(['(process: node, tsx, imports, exit)', ms(w.medianMs - w.insideMedianMs)]);
        }
        out.push('', formatTable(['npm start, per step', 'median ms'], rows));
      } else if (w.stepsNote !== undefined) out.push(`  per-step breakdown: ${w.stepsNote}`);
    }
  }

  heading('Scale: listeners and workers on Postgres');
  notRun(results.scale);
  if (results.scale.status === 'ok') out.push(...formatScale(results.scale.value, formatTable));

  heading('Targets');
  const mark: Record<Verdict, string> = { PASS: paint('green', 'PASS'), MISS: paint('red', 'MISS'), SKIP: paint('yellow', 'SKIP') };
  for (const t of results.targets) out.push(`  ${mark[t.verdict]}  ${t.name}: ${t.measured} (target ${t.target})`);
  if (results.quick) out.push('  (--quick figures are too short to judge targets by)');

  out.push('', `Finished in ${(results.durationMs / 1000).toFixed(1)} s.${file === undefined ? '' : ` JSON: ${file} (and latest.json beside it)`}`);
  return out.join('\n');
}

function ratio(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(2)}×`;
}

function countOf(byStatus: Readonly<Record<string, number>>): number {
  return Object.values(byStatus).reduce((a, b) => a + b, 0);
}
