/**
 * DONE WHEN: however many processes claim one lock file at the same moment, exactly one holds it,
 * whether the lock is free or left behind by a dead owner (a listener killed with SIGKILL).
 *
 * Each claimant is its own process (test/fixtures/pid-lock-claimer.ts), started once and told to
 * claim over IPC, so that the claims of a round land together. Every round counts the holders.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { claimPidLock } from '../../steps/lib/core/pid-lock.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { exitedPid, scriptEnv } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const FIXTURE = join(PROJECT_ROOT, 'test/fixtures/pid-lock-claimer.ts');
const CLAIMANTS = 4;
const ROUNDS = 50;

interface Reply {
  readonly type: 'claimed' | 'refused' | 'released' | 'failed';
  readonly message?: string;
}

interface Claimant {
  readonly pid: number;
  ask(message: object): Promise<Reply>;
}

function startClaimant(): Claimant {
  const child: ChildProcess = fork(FIXTURE, { cwd: PROJECT_ROOT, env: scriptEnv(), execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  return {
    pid: child.pid ?? 0,
    ask: (message) =>
      new Promise((resolve, reject) => {
        child.once('message', (reply) => resolve(reply as Reply));
        child.once('exit', (code) => reject(new Error(`claimant exited with ${code}`)));
        child.send(message);
      }),
  };
}

/** Every claimant claims `path` at once; the winners release it again. Returns how many held it. */
async function round(claimants: readonly Claimant[], path: string): Promise<{ holders: number; failures: string[] }> {
  const replies = await Promise.all(claimants.map((claimant) => claimant.ask({ type: 'claim', path })));
  const winners = claimants.filter((_, index) => replies[index]?.type === 'claimed');
  const failures = replies.filter((reply) => reply.type === 'failed').map((reply) => reply.message ?? '');
  for (const winner of winners) await winner.ask({ type: 'release' });
  return { holders: winners.length, failures };
}

describe('a pid lock claimed by several processes at once', () => {
  // Started once for the file (a process takes a second or more to start on a loaded machine).
  let claimants: Claimant[] = [];
  beforeAll(() => {
    claimants = Array.from({ length: CLAIMANTS }, startClaimant);
  });

  /** ROUNDS rounds on a fresh folder, `before` run ahead of each: every round must have exactly one holder, and nothing be left. */
  async function expectOneHolderPerRound(before: (path: string, index: number) => Promise<void>): Promise<void> {
    const dir = await tempDir('pid-lock');
    const path = join(dir, 'journal.lock');
    const holders: number[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      await before(path, index);
      const result = await round(claimants, path);
      expect(result.failures).toEqual([]);
      holders.push(result.holders);
    }
    expect(holders).toEqual(Array(ROUNDS).fill(1));
    expect(await readdir(dir)).toEqual([]);
  }

  test('a free lock: exactly one holds it in every round, and nothing is left in the folder', async () => {
    await expectOneHolderPerRound(async () => {});
  });

  test("a dead owner's lock (or an empty one, left by an older version): exactly one takes it over in every round", async () => {
    const dead = exitedPid();
    await expectOneHolderPerRound((path, index) => writeFile(path, index % 2 === 0 ? String(dead) : ''));
  });

  test("the holder's pid is in the lock file, and a live owner's lock is refused, not taken", async () => {
    const dir = await tempDir('pid-lock');
    const path = join(dir, 'journal.lock');
    const [first, second] = claimants;
    if (first === undefined || second === undefined) throw new Error('two claimants');
    expect(await first.ask({ type: 'claim', path })).toEqual({ type: 'claimed' });
    expect(await readFile(path, 'utf8')).toBe(String(first.pid));
    expect(await second.ask({ type: 'claim', path })).toEqual({ type: 'refused', message: `Error: held by ${first.pid}` });
    expect(await readFile(path, 'utf8')).toBe(String(first.pid));
    await first.ask({ type: 'release' });
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('a pid lock claimed twice by one process at once', () => {
  test('one claim holds it, the other is refused as held by this process', async () => {
    const dir = await tempDir('pid-lock');
    const path = join(dir, 'journal.lock');
    const refusals = { held: (owner: number) => new Error(`held by ${owner}`), contended: () => new Error('contended') };
    const results = await Promise.allSettled([claimPidLock(path, refusals), claimPidLock(path, refusals)]);
    const releases = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    for (const release of releases) await release();
    expect(releases).toHaveLength(1);
    expect(refused).toEqual([`Error: held by ${process.pid}`]);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('a pid lock that is a named pipe (a hand-made mistake)', () => {
  test('is read without waiting for a writer, and taken over as a lock that names no live owner', async () => {
    const dir = await tempDir('pid-lock');
    const path = join(dir, 'journal.lock');
    execFileSync('mkfifo', [path]);
    const refusals = { held: (owner: number) => new Error(`held by ${owner}`), contended: () => new Error('contended') };
    const release = await claimPidLock(path, refusals);
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await release();
    expect(await readdir(dir)).toEqual([]);
  });
});
