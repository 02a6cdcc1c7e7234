/**
 * `npm run bench` (issues 6 and 14): the quick run works end to end and writes results of the
 * promised shape under the state folder, its bodies are ones every receiver accepts, wrk (when
 * installed) sends distinct signed POSTs and a run it did not sign is refused, Ctrl-C leaves no
 * child process or temp folder behind, and the target verdicts follow the figures.
 * No timing assertions: figures only have to be real (positive, counted), not fast.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryFactory } from '../../scripts/bench/bodies.ts';
import { BENCH_BAD_OPTION, BENCH_CHILD_FAILED } from '../../scripts/bench/errors.ts';
import type { LoadResult } from '../../scripts/bench/load/types.ts';
import { findWrk, runWrk, toLoadResult } from '../../scripts/bench/load/wrk.ts';
import { skipWithout } from '../helpers/ci.ts';
import { parseCpuList } from '../../scripts/bench/pinning.ts';
import { closeServer, listenOnFreePort } from '../../scripts/bench/receivers/listen.ts';
import { parseBenchOptions } from '../../scripts/bench/options.ts';
import type { BenchResults, StartupReport } from '../../scripts/bench/results.ts';
import { median, percentile, summarize } from '../../scripts/bench/stats.ts';
import type { ScaleCell, ScaleReport } from '../../scripts/bench/scale/scale-bench.ts';
import { evaluateScaleTargets } from '../../scripts/bench/scale/targets.ts';
import { evaluateTargets } from '../../scripts/bench/targets.ts';
import { medianRound, type ThroughputCell, type ThroughputReport } from '../../scripts/bench/throughput.ts';
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

/**
 * A temp folder to be the bench's TMPDIR, so the temp folders it leaves can be counted. tsx keeps
 * its transform cache under TMPDIR too (tsx-<uid>): a link to the one in the OS temp dir lets the
 * bench's processes reuse what earlier runs compiled instead of each compiling the workbench afresh
 * (about a second per process on 2 cores). Without one yet, tsx makes its own here.
 */
async function benchTmp(): Promise<string> {
  const tmp = await tempDir('bench-tmp');
  for (const name of (await readdir(tmpdir())).filter((entry) => entry.startsWith('tsx-'))) {
    await symlink(join(tmpdir(), name), join(tmp, name), 'junction');
  }
  return tmp;
}

/** Bench temp folders left in `tmp` (tsx's own transform cache is not ours). */
async function leftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => !name.startsWith('tsx-'));
}

/** Whether wrk is installed here: the bench uses it for saturation when it is. */
const wrk = await findWrk();

function expectRealLoad(result: LoadResult, kind: LoadResult['kind'], generator: LoadResult['generator']): void {
  expect(result.kind).toBe(kind);
  expect(result.generator).toBe(generator);
  expect(result.sent).toBeGreaterThan(0);
  // Every request answered was a signed body the generator built (wrk: its script's own count).
  expect(result.built).toBeGreaterThanOrEqual(result.sent);
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
  // Eleven processes and five load runs: about 20 s on a quiet 2-core box, more when other suites share it.
  it('runs every receiver and the delivery path, prints the table and writes bench-<time>.json and latest.json', { timeout: 120_000 }, async () => {
    const stateDir = await tempDir('bench-state');
    const tmp = await benchTmp();
    const { code, stdout, stderr } = await runScript(
      'scripts/bench/run.ts',
      benchOptions(['--quick', '--rounds', '2', '--only', 'throughput,delivery', '--bodies', '300'], stateDir, tmp),
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

    // Throughput: the four baselines and ours, each fully answered; saturation by wrk when it is installed.
    expect(results.throughput.status).toBe('ok');
    if (results.throughput.status !== 'ok') return;
    const report = results.throughput.value;
    const saturationBy = wrk === undefined ? 'node' : 'wrk';
    expect(report.generators).toEqual({
      saturation: saturationBy,
      fixedRate: 'node',
      wrkVersion: wrk?.version,
      why: wrk === undefined ? 'wrk is not installed; apt-get install -y wrk to use it' : 'installed',
    });
    expect(stdout).toContain(`Load generator: ${saturationBy === 'wrk' ? 'wrk' : 'Node'} for saturation`);
    expect(stdout).toContain(`CPUs: ${report.pinning.note}.`);
    expect(report.skipped).toEqual([]);
    expect(report.cells.map((c) => `${c.receiver}/${c.bodyBytes}`)).toEqual(['bare/300', 'express/300', 'tutorial/300', 'durable/300', 'ours/300']);
    // Two saturation rounds each (--rounds 2), interleaved; a cell's figure is its median round (of two, the lower).
    expect(report.timing.saturationRounds).toBe(2);
    expect(stdout).toContain('2 rounds of');
    for (const cell of report.cells) {
      expect(cell.saturationRounds).toHaveLength(2);
      for (const round of cell.saturationRounds) expectRealLoad(round, 'saturation', saturationBy);
      expect(cell.saturation.rps).toBe(Math.min(...cell.saturationRounds.map((r) => r.rps)));
      expect(stdout).toContain(`(rounds: ${cell.saturationRounds.map((r) => Math.round(r.rps)).join(', ')})`);
      expectRealLoad(cell.fixedRate, 'rate', 'node');
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

  it('a wrong command line is a usage error: exit 2 naming the option, before anything runs', async () => {
    const result = await runScript('scripts/bench/run.ts', { args: ['--rounds', '0'] });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: --rounds "0": expected a whole number from 1 to 20 [WORKBENCH_BENCH_BAD_OPTION]\nNext: See npm run bench -- --help.\n',
    });
  });

  it.skipIf(process.platform === 'win32')('on Ctrl-C kills the receiver and load generator processes and removes its temp folders', async () => {
    const stateDir = await tempDir('bench-state');
    const tmp = await benchTmp();
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

/** A saturation run's result with only what the target checks read: req/s, p99 and non-2xx answers. */
function loadResult(rps: number, p99: number, non2xx: Record<string, number> = {}): LoadResult {
  return {
    kind: 'saturation',
    generator: 'node',
    sent: 10,
    built: 10,
    ok: 10,
    non2xx,
    errors: 0,
    unanswered: 0,
    firstError: undefined,
    elapsedMs: 1,
    rps,
    latency: { count: 10, p50: 1, p99, max: p99, mean: 1 },
    sendLag: undefined,
  };
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
    // ours without a handler runs only when asked for: the targets compare the five others.
    expect(parseBenchOptions([]).receivers).toEqual(['bare', 'express', 'tutorial', 'durable', 'ours']);
    expect(parseBenchOptions(['--receivers', 'ours-ack,ours']).receivers).toEqual(['ours', 'ours-ack']);
    expect(() => parseBenchOptions(['--receivers', 'nginx'])).toThrow(
      expect.objectContaining({
        code: BENCH_BAD_OPTION,
        message: '--receivers "nginx": expected a comma-separated list of bare, express, tutorial, durable, ours, ours-ack',
        hint: 'See npm run bench -- --help.',
      }),
    );
    expect(() => parseBenchOptions(['--runs', '0'])).toThrow(expect.objectContaining({ code: BENCH_BAD_OPTION }));
    const rounds = [parseBenchOptions([]), parseBenchOptions(['--quick']), parseBenchOptions(['--rounds', '7'])].map((o) => o.timing.saturationRounds);
    expect(rounds).toEqual([5, 1, 7]);
    expect(() => parseBenchOptions(['--rounds', '0'])).toThrow(
      expect.objectContaining({ code: BENCH_BAD_OPTION, message: '--rounds "0": expected a whole number from 1 to 20' }),
    );
  });

  it('parseBenchOptions() takes --generator and --no-pin, and refuses an unknown generator', () => {
    expect(parseBenchOptions([])).toMatchObject({ generator: 'auto', pin: true });
    expect(parseBenchOptions(['--generator', 'node', '--no-pin'])).toMatchObject({ generator: 'node', pin: false });
    expect(() => parseBenchOptions(['--generator', 'ab'])).toThrow(
      expect.objectContaining({ code: BENCH_BAD_OPTION, message: '--generator "ab": expected one of auto, wrk, node' }),
    );
  });

  it('medianRound() picks the round with the median requests/s, the lower middle one of an even count', () => {
    const rounds = [3000, 1000, 2000].map((rps) => loadResult(rps, 1));
    expect(medianRound(rounds)).toBe(rounds[2]);
    expect(medianRound([4, 1, 3, 2].map((rps) => loadResult(rps, 1))).rps).toBe(2);
    expect(() => medianRound([])).toThrow('no rounds');
  });

  it('parseCpuList() reads taskset affinity lists with ranges', () => {
    expect([parseCpuList('0,1'), parseCpuList(' 0-2,5\n'), parseCpuList('')]).toEqual([[0, 1], [0, 1, 2, 5], []]);
  });

  it('toLoadResult() counts wrk statuses ≥ 400 as non-2xx, and refuses a run with answers its script did not build (plain GETs)', () => {
    const summary = (built: number, status: number) => ({
      requests: 1000,
      durationUs: 2_000_000,
      built,
      errors: { connect: 0, read: 0, write: 0, status, timeout: 0 },
      latencyUs: { p50: 1500, p99: 9000, max: 20000, mean: 2000.5 },
    });
    expect(toLoadResult(summary(1050, 0))).toEqual({
      kind: 'saturation',
      generator: 'wrk',
      sent: 1000,
      built: 1050,
      ok: 1000,
      non2xx: {},
      errors: 0,
      unanswered: 0,
      firstError: undefined,
      elapsedMs: 2000,
      rps: 500,
      latency: { count: 1000, p50: 1.5, p99: 9, max: 20, mean: 2.001 },
      sendLag: undefined,
    });
    expect(toLoadResult(summary(1050, 10))).toMatchObject({ ok: 990, non2xx: { '≥400': 10 }, rps: 495 });
    expect(() => toLoadResult(summary(0, 1000))).toThrow(
      expect.objectContaining({
        code: BENCH_CHILD_FAILED,
        message: 'wrk got 1000 answers but its script built only 0 signed bodies: the other requests were not signed POSTs.',
      }),
    );
  });

  it.skipIf(skipWithout(wrk !== undefined))('wrk sends distinct POSTs of the exact size, each signed with the Bracken scheme, and reports them', async () => {
    expect(wrk, 'wrk is not installed: .ci/run installs it (apt-get install -y wrk)').toBeDefined();
    const secret = 'bench-wrk-secret';
    const seen = new Set<string>();
    const problems: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const verdict = bracken.verify({ body, headers: req.headers, secrets: [secret] });
        const hash = createHash('sha256').update(body).digest('hex');
        if (req.method !== 'POST' || req.url !== '/webhooks' || body.length !== 300 || !verdict.ok || seen.has(hash)) {
          problems.push(`${req.method} ${req.url} ${body.length} B ${JSON.stringify(verdict)} ${seen.has(hash) ? 'repeated' : ''}`);
        }
        seen.add(hash);
        res.end('ok');
      });
    });
    const port = await listenOnFreePort(server);
    try {
      const target = { origin: `http://127.0.0.1:${port}`, path: '/webhooks', secret, bodyBytes: 300 };
      const first = await runWrk(target, { kind: 'saturation', connections: 4, durationMs: 1000, maxRequests: 1 }, { run: 0 });
      // A second run against the same server continues with new bodies (its own counter range).
      const second = await runWrk(target, { kind: 'saturation', connections: 4, durationMs: 1000, maxRequests: 1 }, { run: 1 });
      expect(problems.slice(0, 3)).toEqual([]);
      for (const result of [first, second]) expect(result).toMatchObject({ generator: 'wrk', non2xx: {}, errors: 0 });
      expect(first.ok + second.ok).toBeGreaterThan(0);
      // wrk counts what it answered; the server saw those and at most a few more in flight when wrk stopped.
      expect(seen.size).toBeGreaterThanOrEqual(first.ok + second.ok);
      expect(seen.size).toBeLessThanOrEqual(first.built + second.built);
    } finally {
      await closeServer(server);
    }
  });

  it('evaluateTargets() judges each target within the run: ratios per body size, the ack p99 only when (d) shows no disk stall, npm start against the empty process', () => {
    const settled = { ms: 0, done: true };
    const cell = (receiver: ThroughputCell['receiver'], bodyBytes: number, rps: number, p99: number, non2xx?: Record<string, number>): ThroughputCell => ({
      receiver,
      label: receiver,
      bodyBytes,
      saturation: loadResult(rps, p99),
      saturationRounds: [loadResult(rps, p99)],
      fixedRate: loadResult(1000, p99, non2xx),
      settleAfterSaturation: settled,
      settleAfterFixedRate: settled,
    });
    const throughput = (cells: ThroughputCell[]) => ({ status: 'ok', value: { cells, skipped: [] } as unknown as ThroughputReport }) as const;
    const timed = (medianMs: number) => ({ status: 'ok', value: { medianMs } }) as const;
    const startup = (npmStartMs: number, floorMs: number) =>
      ({ status: 'ok', value: { npmStart: timed(npmStartMs), nodeTsxFloor: timed(floorMs) } as unknown as StartupReport }) as const;

    const verdicts = evaluateTargets(
      throughput([
        cell('express', 300, 1000, 1),
        cell('tutorial', 300, 900, 1),
        cell('durable', 300, 5000, 4.5),
        cell('ours', 300, 950, 4),
        cell('tutorial', 65536, 500, 30),
        cell('durable', 65536, 1000, 30),
        cell('ours', 65536, 700, 30),
      ]),
      startup(700, 300),
    );
    expect(verdicts.map((t) => [t.name, t.verdict, t.measured])).toEqual([
      ['ours ≥ 0.9× (b) in requests/s, 300 B', 'PASS', '0.95× (950 / 1000)'],
      ['ours ≥ 1× (c) in requests/s, 300 B', 'PASS', '1.06× (950 / 900)'],
      ['ours ≥ 0.8× (d) in requests/s, 64 KiB', 'MISS', '0.70× (700 / 1000)'],
      ['ours ≥ 1× (c) in requests/s, 64 KiB', 'PASS', '1.40× (700 / 500)'],
      ['ours acknowledgement p99 ≤ 10 ms at 1,000 deliveries/s, 300 B (judged when (d) p99 ≤ 5 ms)', 'PASS', '4.00 ms, (d) 4.50 ms'],
      ['npm start median ≤ 2× an empty node --import tsx', 'MISS', '2.33× (700 ms / 300 ms)'],
    ]);

    // A disk stall shows in (d): the ack target is not judged. Errors in ours make a ratio MISS however fast.
    const stalled = evaluateTargets(
      throughput([cell('express', 300, 1000, 1), cell('durable', 300, 5000, 40), cell('ours', 300, 2000, 50, { 503: 1 })]),
      startup(500, 300),
    );
    expect(stalled.map((t) => [t.verdict, t.measured])).toEqual([
      ['MISS', '2.00× (2000 / 1000), with errors'],
      ['SKIP', '(c) at 300 B not measured'],
      ['SKIP', 'ours at 64 KiB not measured'],
      ['SKIP', 'ours at 64 KiB not measured'],
      ['SKIP', 'disk stall, (d) p99 40.00 ms (ours 50.00 ms)'],
      ['PASS', '1.67× (500 ms / 300 ms)'],
    ]);
    // A failed answer in any saturation round counts, not only in the median one.
    const oneBadRound = { ...cell('ours', 300, 2000, 4), saturationRounds: [loadResult(2000, 4), loadResult(1900, 4, { 502: 1 })] };
    const [againstExpress] = evaluateTargets(throughput([cell('express', 300, 1000, 1), oneBadRound]), startup(500, 300));
    expect([againstExpress?.verdict, againstExpress?.measured]).toEqual(['MISS', '2.00× (2000 / 1000), with errors']);
    const notRun = evaluateTargets({ status: 'skipped', reason: 'not selected (--only)' }, { status: 'failed', reason: 'boom' });
    expect(notRun.map((t) => `${t.verdict} ${t.measured}`)).toEqual([...Array(5).fill('SKIP not selected (--only)'), 'SKIP boom']);
  });

  it("evaluateScaleTargets() compares the run's own figures: Postgres against plain INSERT, two listeners against one, handled against acknowledged, the drain", () => {
    const cell = (name: ScaleCell['name'], rps: number, failed = 0): ScaleCell => ({
      name,
      label: name,
      perListener: [loadResult(rps, 2)],
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
          baseline: loadResult(2000, 2),
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
