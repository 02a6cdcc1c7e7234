/**
 * Every command reads its command line before it acts: --help prints the usage and runs nothing,
 * anything it does not take is refused with exit code 2. Found when `npm run step:6 -- --help`
 * deleted the test user.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../scripts/walkthrough/free-port.ts';
import { readCommandLine, repeatedOption } from '../../steps/lib/core/command-line.ts';
import { openState, type UserState } from '../../steps/lib/core/state.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const SPEC = {
  options: { event: { type: 'string' }, latest: { type: 'boolean', default: false } },
  usage: 'Usage: npm run step:5 [-- --event <name>] [-- --latest]',
  hint: 'Step 5 takes npm run step:5 [-- --event <name>] [-- --latest].',
} as const;

describe('readCommandLine()', () => {
  let printed: { out: string[]; err: string[] };
  let exitCodeBefore: typeof process.exitCode;
  beforeEach(() => {
    printed = { out: [], err: [] };
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.out.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void printed.err.push(line));
    exitCodeBefore = process.exitCode;
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = exitCodeBefore;
  });

  test('returns the options it takes, with their defaults, and prints nothing', () => {
    expect(readCommandLine({ ...SPEC, args: ['--event', 'module_complete'] })).toEqual({ event: 'module_complete', latest: false });
    expect(readCommandLine({ ...SPEC, args: [] })).toEqual({ latest: false });
    expect([printed, process.exitCode]).toEqual([{ out: [], err: [] }, undefined]);
  });

  test.each([['--help'], ['-h'], ['--latest', '--help']])('%s prints the usage on stdout and says not to run (exit code stays 0)', (...args) => {
    expect(readCommandLine({ ...SPEC, args })).toBeUndefined();
    expect(printed).toEqual({ out: [SPEC.usage], err: [] });
    expect(process.exitCode).toBeUndefined();
  });

  test.each([
    [['--dry-run'], "Unknown option '--dry-run'"],
    [['now'], "Unexpected argument 'now'. This command does not take positional arguments"],
    [['--event'], "Option '--event <value>' argument missing"],
    [['--latest=yes'], "Option '--latest' does not take an argument"],
  ])('%j is refused before anything runs: the error with its code and the hint on stderr, exit code 2', (args, message) => {
    expect(readCommandLine({ ...SPEC, args })).toBeUndefined();
    expect(printed).toEqual({ out: [], err: [`Error: ${message} [WORKBENCH_CONFIG_INVALID]\nNext: ${SPEC.hint}`] });
    expect(process.exitCode).toBe(2);
  });
});

describe('repeatedOption(tokens, options)', () => {
  const options = { scheme: { type: 'string' }, secret: { type: 'string', multiple: true }, sign: { type: 'boolean' } } as const;
  const repeated = (args: string[]) => repeatedOption(parseArgs({ args, options, tokens: true }).tokens, options);

  test('names a single-value option given twice, in either spelling, with how many times', () => {
    expect(repeated(['--scheme', 'github', '--scheme=bracken', '--scheme', 'x'])).toEqual({ name: 'scheme', times: 3 });
  });

  test('lets options that take several values, and flags, repeat', () => {
    expect(repeated(['--scheme', 'github', '--secret', 'a', '--secret', 'b', '--sign', '--sign'])).toBeUndefined();
  });
});

describe('the steps and scripts read their command line before they act', () => {
  test('npm run step:6 -- --help prints the usage and deletes nothing (it used to run step 6)', async () => {
    const dir = await tempDir('state');
    const port = await freePort(); // nothing listens there: a step that tried the API would fail and exit 1
    const user: UserState = {
      apiUrl: `http://127.0.0.1:${port}`,
      domainkey: 15435,
      userkey: 7,
      username: 'Test-User-help0001',
      createdAt: '2026-11-30T12:00:00.000Z',
    };
    await openState(dir).write('user', user);
    const before = await readFile(join(dir, 'user.json'));

    const result = await runScript('steps/06-delete-test-user.ts', { args: ['--help'], env: { WORKBENCH_STATE_DIR: dir, SANDBOX_PORT: String(port) } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run step:6\nStep 6: deletes the test user/);
    expect(result.stderr).toBe('');
    expect(await readFile(join(dir, 'user.json'))).toEqual(before);
  });

  test('npm run step:4 -- --dry-run is refused with exit 2 and creates nothing', async () => {
    const dir = await tempDir('state');
    const port = await freePort();
    const result = await runScript('steps/04-create-test-user.ts', { args: ['--dry-run'], env: { WORKBENCH_STATE_DIR: dir, SANDBOX_PORT: String(port) } });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: "Error: Unknown option '--dry-run' [WORKBENCH_CONFIG_INVALID]\nNext: Step 4 takes no options: npm run step:4\n",
    });
    expect(await openState(dir).read('user')).toBeUndefined();
  });

  test('npm start -- --help prints the usage and starts nothing (it used to refuse --help with exit 2)', async () => {
    const dir = await tempDir('state');
    const result = await runScript('scripts/walkthrough.ts', { args: ['--help'], env: { WORKBENCH_STATE_DIR: dir } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm start \[-- --yes\] \[-- --timings-json <file>\] \[-- --record \[NAME\]\]\n/);
    expect(result.stdout).toContain('  -h, --help              this help\n');
    expect(result.stderr).toBe('');
  });
});
