/**
 * `npm run bench` (issue 6): the quick run works end to end and writes results of the promised
 * shape under the state folder, its bodies are ones every receiver accepts, Ctrl-C leaves no
 * child process or temp folder behind, and the target verdicts follow the figures.
 * No timing assertions: figures only have to be real (positive, counted), not fast.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryFactory } from '../../scripts/bench/bodies.ts';
import { BENCH_BAD_OPTION } from '../../scripts/bench/errors.ts';
import type { LoadResult } from '../../scripts/bench/load/types.ts';
import { parseBenchOptions } from '../../scripts/bench/options.ts';
import type { BenchResults, StartupReport } from '../../scripts/bench/results.ts';
import { median, percentile, summarize } from '../../scripts/bench/stats.ts';
import type { ScaleCell, ScaleReport } from '../../scripts/bench/scale/scale-bench.ts';
import { evaluateScaleTargets } from '../../scripts/bench/scale/targets.ts';
import { evaluateTargets } from '../../scripts/bench/targets.ts';
import type { ThroughputCell, ThroughputReport } from '../../scripts/bench/throughput.ts';
import { bracken } from '../../steps/lib/signature/bracken.ts';
import { runScript, startScript, type ScriptOptions } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * `npm run bench -- ...args` with this test's state folder and temp folder; the process helpers
 * drop the shell's workbench variables, so a developer's setup does not steer the run.
 */
function benchOptions(args: readonly string[], stateDir: string, tmp: string): ScriptOptions {
  return { args, env: { WORKBENCH_STATE_DIR: stateDir, TMPDIR: tmp, TMP: tmp, TEMP: tmp } };
}

/** Bench temp folders left in `tmp` (tsx's own transform cache is not ours). */
async function leftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => !name.startsWith('tsx-'));
}

function expectRealLoad(result: LoadResult, kind: LoadResult['kind']): void {
  expect(result.kind).toBe(kind);
  expect(result.sent).toBeGreaterThan(0);
  expect(result.ok).toBe(result.sent); // every valid, signed delivery answered 2xx
  expect(result.non2xx).toEqual({});
  expect(result.errors).toBe(0);
  expect(result.unanswered).toBe(0);
  expect(result.rps).toBeGreaterThan(0);
  expect(result.latency.count).toBe(result.sent);
  expect(result.latency.p50).toBeGreaterThan(0);
  expect(result.latency.p99).toBeGreaterThanOrEqual(result.latency.p50);
  expect(result.latency.max).toBeGreaterThanOrEqual(result.latency.p99);
}

describe('npm run bench -- --quick', () => {
  // Eleven processes one after another: about 20 s on a quiet 2-core box, more when other suites share it.
  it('runs every receiver and the delivery path, prints the table and writes bench-<time>.json and latest.json', { timeout: 120_000 }, async () => {
    const stateDir = await tempDir('bench-state');
    const tmp = await tempDir('bench-tmp');
    const { code, stdout, stderr } = await runScript(
      'scripts/bench/run.ts',
      benchOptions(['--quick', '--only', 'throughput,delivery', '--bodies', '300'], stateDir, tmp),
    );
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    const files = await readdir(join(stateDir, 'bench'));
    const resultFile = files.find((name) => /^bench-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.json$/.test(name));
    expect(files.sort()).toEqual([resultFile, 'latest.json'].sort());
    expect(stdout).toContain(`JSON: ${join(stateDir, 'bench', resultFile ?? '')} (and latest.json beside it)`);
    const text = await readFile(join(stateDir, 'bench', resultFile ?? ''), 'utf8');
    expect(await readFile(join(stateDir, 'bench', 'latest.json'), 'utf8')).toBe(text);

    const results = JSON.parse(text) as BenchResults;
    expect(results.schema).toBe('bracken-webhook-workbench/bench@1');
    expect(results.quick).toBe(true);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(stdout).toContain(`Node ${process.version}`);
    expect(results.startup).toEqual({ status: 'skipped', reason: 'not selected (--only)' });

    // Throughput: the three baselines and ours, each fully answered.
    expect(results.throughput.status).toBe('ok');
    if (results.throughput.status !== 'ok') return;
    const report = results.throughput.value;
    expect(report.skipped).toEqual([]);
    expect(report.cells.map((c) => `${c.receiver}/${c.bodyBytes}`)).toEqual(['bare/300', 'express/300', 'tutorial/300', 'durable/300', 'ours/300']);
    for (const cell of report.cells) {
      expectRealLoad(cell.saturation, 'saturation');
      expectRealLoad(cell.fixedRate, 'rate');
      // The open loop sends exactly rate × duration requests, whatever the server does.
      expect(cell.fixedRate.sent).toBe((report.timing.ratePerSec * report.timing.rateMs) / 1000);
      expect(cell.fixedRate.sendLag?.count).toBe(cell.fixedRate.sent);
      // Baselines do all their work before answering: nothing is left to finish afterwards.
      if (cell.receiver !== 'ours') expect([cell.settleAfterSaturation.done, cell.settleAfterFixedRate.done]).toEqual([true, true]);
      expect(cell.settleAfterSaturation.ms).toBeGreaterThanOrEqual(0);
    }
    // Baselines and ours started the same way.
    expect(new Set(report.receivers.map((r) => r.command))).toEqual(new Set(['node --import tsx scripts/bench/receiver-child.ts']));
    const [ratio] = report.ratios;
    expect(ratio?.bodyBytes).toBe(300);
    for (const value of [ratio?.oursOverBare, ratio?.oursOverExpress, ratio?.oursOverTutorial, ratio?.oursOverDurable]) expect(value).toBeGreaterThan(0);

    // Delivery latency: sandbox → our listener, one at a time and 50 at once, none lost.
    expect(results.delivery.status).toBe('ok');
    if (results.delivery.status !== 'ok') return;
    expect(results.delivery.value.cells.map((c) => [c.concurrency, c.deliveries, c.lost, c.latency.count])).toEqual([
      [1, 10, 0, 10],
      [50, 50, 0, 50],
    ]);
    for (const cell of results.delivery.value.cells) expect(cell.latency.p50).toBeGreaterThan(0);

    // Every target has a verdict, and the table prints each one.
    expect(results.targets.map((t) => t.verdict).every((v) => v === 'PASS' || v === 'MISS' || v === 'SKIP')).toBe(true);
    for (const target of results.targets) expect(stdout).toContain(`${target.verdict}  ${target.name}`);
    expect(await leftovers(tmp)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('on Ctrl-C kills the receiver and load generator processes and removes its temp folders', async () => {
    const stateDir = await tempDir('bench-state');
    const tmp = await tempDir('bench-tmp');
    const run = startScript('scripts/bench/run.ts', benchOptions(['--only', 'throughput', '--receivers', 'ours', '--bodies', '300'], stateDir, tmp));
    const match = await run.waitFor(/receiver pid (\d+), load generator pid (\d+)/);
    const pids = [Number(match[1]), Number(match[2])];
    expect(pids.every(isAlive)).toBe(true);
    run.child.kill('SIGINT');
    const { code } = await run.exited();
    expect(code, run.stderr()).toBe(130);
    // SIGKILL is sent before the bench exits; give the kernel a moment to reap.
    for (let i = 0; i < 50 && pids.some(isAlive); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await leftovers(tmp)).toEqual([]);
    await expect(readdir(join(stateDir, 'bench'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench building blocks', () => {
  it('deliveryFactory() returns distinct bodies of the exact size that verify under the Bracken scheme and survive JSON.stringify', () => {
    const secret = 'bench-test-secret';
    for (const bytes of [300, 64 * 1024]) {
      const next = deliveryFactory({ secret, bytes, timestamp: '2025-01-02T03:04:05.006Z' });
      const first = next();
      const second = next();
      expect(first.body.length).toBe(bytes);
      expect(second.body.length).toBe(bytes);
      expect(first.body.equals(second.body)).toBe(false);
      expect(first.headers['content-type']).toBe('application/json');
      expect(bracken.verify({ body: first.body, headers: first.headers, secrets: [secret] })).toEqual({ ok: true, secretIndex: 0 });
      expect(bracken.verify({ body: first.body, headers: second.headers, secrets: [secret] })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
      // The tutorial's receiver re-serializes: it only answers 200 if that gives back the same bytes.
      const text = first.body.toString('utf8');
      expect(JSON.stringify(JSON.parse(text))).toBe(text);
      expect(JSON.parse(text)).toMatchObject({
        eventname: 'User_Create',
        domainkey: 15435,
        userkey: 1_000_000_000,
        username: 'Bench-User-1000000000',
        timestamp: '2025-01-02T03:04:05.006Z',
      });
    }
    expect(() => deliveryFactory({ secret, bytes: 100 })).toThrow(/a body needs at least \d+ bytes, asked for 100/);
  });

  it('percentile() is nearest-rank, median() averages the middle pair, summarize() sorts and counts', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100), percentile([], 50)]).toEqual([50, 99, 100, Number.NaN]);
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, Number.NaN]);
    expect(summarize(Float64Array.from([5, 1, 3, 0, 0]), 3)).toEqual({ count: 3, p50: 3, p99: 5, max: 5, mean: 3 });
  });

  it('parseBenchOptions() applies --quick and rejects unknown receivers with a hint', () => {
    const quick = parseBenchOptions(['--quick', '--receivers', 'ours,bare', '--bodies', '300']);
    expect([quick.quick, quick.receivers, quick.bodySizes, quick.startupRuns]).toEqual([true, ['bare', 'ours'], [300], 1]);
    expect(parseBenchOptions([]).bodySizes).toEqual([300, 65536]);
    expect(parseBenchOptions([]).sections).toEqual(['startup', 'delivery', 'throughput', 'scale']);
    expect(parseBenchOptions(['--only', 'scale']).sections).toEqual(['scale']);
    expect(() => parseBenchOptions(['--receivers', 'nginx'])).toThrow(
      expect.objectContaining({
        code: BENCH_BAD_OPTION,
        message: '--receivers "nginx": expected a comma-separated list of bare, express, tutorial, durable, ours',
        hint: 'See npm run bench -- --help.',
      }),
    );
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(expect.objectContaining({ code: BENCH_BAD_OPTION }));
  });

  it('evaluateTargets() says PASS, MISS or SKIP from the figures, and MISS when answers were not all 2xx', () => {
    const load = (rps: number, p99: number, non2xx: Record<string, number> = {}): LoadResult => ({
      kind: 'saturation',
      sent: 10,
      ok: 10,
      non2xx,
      errors: 0,
      unanswered: 0,
      firstError: undefined,
      elapsedMs: 1,
      rps,
      latency: { count: 10, p50: 1, p99, max: p99, mean: 1 },
      sendLag: undefined,
    });
    const settled = { ms: 0, done: true };
    const cell = (receiver: ThroughputCell['receiver'], rps: number, p99: number, non2xx?: Record<string, number>): ThroughputCell => ({
      receiver,
      label: receiver,
      bodyBytes: 300,
      saturation: load(rps, p99),
      fixedRate: load(1000, p99, non2xx),
      settleAfterSaturation: settled,
      settleAfterFixedRate: settled,
    });
    const throughput = (cells: ThroughputCell[]) => ({ status: 'ok', value: { cells, skipped: [] } as unknown as ThroughputReport }) as const;
    const startup = { status: 'ok', value: { npmStart: { status: 'ok', value: { medianMs: 1600 } } } as unknown as StartupReport } as const;

    const verdicts = evaluateTargets(throughput([cell('express', 1000, 1), cell('tutorial', 900, 1), cell('ours', 950, 4)]), startup);
    expect(verdicts.map((t) => [t.name, t.verdict, t.measured])).toEqual([
      ['ours ≥ 0.9× (b) in requests/s, 300 B', 'PASS', '0.95× (950 / 1000)'],
      ['ours ≥ 1× (c) in requests/s, 300 B', 'PASS', '1.06× (950 / 900)'],
      ['ours acknowledgement p99 ≤ 10 ms at 1,000 deliveries/s, 300 B', 'PASS', '4.00 ms'],
      ['npm start median ≤ 1.5 s', 'MISS', '1600 ms'],
    ]);
    const refused = evaluateTargets(throughput([cell('express', 1000, 1), cell('ours', 2000, 4, { 503: 1 })]), {
      status: 'skipped',
      reason: 'not selected (--only)',
    });
    expect(refused.map((t) => t.verdict)).toEqual(['MISS', 'SKIP', 'MISS', 'SKIP']);
    expect(refused[0]?.measured).toBe('2.00× (2000 / 1000), with errors');
  });

  it("evaluateScaleTargets() compares the run's own figures: Postgres against plain INSERT, two listeners against one, handled against acknowledged, the drain", () => {
    const load = (rps: number, non2xx: Record<string, number> = {}): LoadResult => ({
      kind: 'saturation',
      sent: 10,
      ok: 10,
      non2xx,
      errors: 0,
      unanswered: 0,
      firstError: undefined,
      elapsedMs: 1,
      rps,
      latency: { count: 10, p50: 1, p99: 2, max: 2, mean: 1 },
      sendLag: undefined,
    });
    const cell = (name: ScaleCell['name'], rps: number, failed = 0): ScaleCell => ({
      name,
      label: name,
      perListener: [load(rps)],
      rps,
      p50: 1,
      p99: 2,
      failed,
      duplicates: 0,
    });
    const report = (cells: ScaleCell[], workers: Partial<ScaleReport['workers']>) =>
      ({
        status: 'ok',
        value: {
          baseline: load(2000),
          cells,
          workers: { handledPerSec: 900, ackedPerSec: 1000, failed: 0, drained: true, drainMs: 1200, backlogAtEnd: 300, burstMs: 10_000, ...workers },
        } as unknown as ScaleReport,
      }) as const;

    const passing = evaluateScaleTargets(report([cell('postgres-1', 1500), cell('postgres-2', 2400)], {}));
    expect(passing.map((t) => [t.verdict, t.measured])).toEqual([
      ['PASS', '0.75× (1500 / 2000)'],
      ['PASS', '1.60× (2400 / 1500)'],
      ['PASS', '0.90× (900 / 1000)'],
      ['PASS', '1200 ms (300 owed at the end of a 10.0 s burst)'],
    ]);
    const missing = evaluateScaleTargets(
      report([cell('postgres-1', 1300, 2), cell('postgres-2', 2400)], { handledPerSec: 700, drained: false, drainMs: 30_000 }),
    );
    expect(missing.map((t) => [t.verdict, t.measured])).toEqual([
      ['MISS', '0.65× (1300 / 2000), with errors'],
      ['MISS', '1.85× (2400 / 1300), with errors'],
      ['MISS', '0.70× (700 / 1000)'],
      ['MISS', 'not gone after 30000 ms'],
    ]);
    const skipped = evaluateScaleTargets({ status: 'skipped', reason: 'PostgreSQL server binaries (initdb, pg_ctl) are not installed: ...' });
    expect(skipped.map((t) => t.verdict)).toEqual(['SKIP', 'SKIP', 'SKIP', 'SKIP']);
    expect(skipped[0]?.measured).toBe('PostgreSQL server binaries (initdb, pg_ctl) are not installed: ...');
  });
});
