/**
 * The dedupe key file (journal/dedupe-keys.ts) on its own: the retention's edge, with the clock
 * moved (the `now` option, as claims.ts has), and an append that really fails part-way (a child
 * process under a file size limit).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEDUPE_KEYS_FILE, type DedupeKey, DedupeKeyFile } from '../../steps/lib/journal/dedupe-keys.ts';
import { withFileSizeLimit, tsxSnippet } from '../helpers/file-size-limit.ts';
import { runCommand } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const HOUR = 3600 * 1000;
const ARRIVED = Date.parse('2024-01-01T00:00:00.000Z');

function lineOf(key: DedupeKey): string {
  return `${JSON.stringify({ key: key.key, id: key.id, at: new Date(key.at).toISOString() })}\n`;
}

describe('DedupeKeyFile: the retention edge', () => {
  it('keeps a key exactly DEDUPE_RETENTION old (as the claims do) and forgets it one millisecond later', async () => {
    const dir = await tempDir('dedupe-keys');
    const key: DedupeKey = { key: 'sha256:aa', id: 'd-1', at: ARRIVED };
    await writeFile(join(dir, DEDUPE_KEYS_FILE), lineOf(key));
    const open = (now: number) => DedupeKeyFile.open({ dir, retentionMs: HOUR, log: () => {}, now: () => now });

    const atEdge = await open(ARRIVED + HOUR);
    expect(atEdge.keys).toEqual([key]);
    await atEdge.file.close();
    const past = await open(ARRIVED + HOUR + 1);
    expect(past.keys).toEqual([]);
    await past.file.close();
  });
});

describe('DedupeKeyFile: an append that fails part-way', () => {
  it('is cut back to the last whole line: the key file reads with no warning, and the next append is not lost behind a half line', async () => {
    const dir = await tempDir('dedupe-keys');
    const keys = (prefix: string, count: number): DedupeKey[] =>
      Array.from({ length: count }, (_, i) => ({ key: `sha256:${prefix}${i}`, id: `${prefix}${i}`, at: ARRIVED }));
    const before = keys('a', 3);
    // Three lines fit under the limit; three more cross it: the write is cut short there, then fails (EFBIG).
    const limit = Buffer.byteLength(before.map(lineOf).join('')) + 100;
    const run = await runCommand(
      withFileSizeLimit(
        limit,
        tsxSnippet(
          `const { DedupeKeyFile } = await import(root + '/steps/lib/journal/dedupe-keys.ts');
           const keys = JSON.parse(argv[1]);
           const { file } = await DedupeKeyFile.open({ dir: argv[0], retentionMs: 1e12, log: () => {} });
           await file.append(keys.slice(0, 3));
           console.log(await file.append(keys.slice(3)).then(() => 'appended', (error) => error.code));
           await file.close();`,
          [dir, JSON.stringify([...before, ...keys('b', 3)])],
        ),
      ),
    );
    expect(run.stdout, run.stderr).toBe('EFBIG\n');
    expect(await readFile(join(dir, DEDUPE_KEYS_FILE), 'utf8')).toBe(before.map(lineOf).join(''));

    // The next listener (no limit) appends the keys of its next rotation: every key reads back.
    const after = keys('c', 1);
    const reopened = await DedupeKeyFile.open({ dir, retentionMs: 1e12, log: () => {}, now: () => ARRIVED });
    await reopened.file.append(after);
    await reopened.file.close();
    const read = await DedupeKeyFile.open({ dir, retentionMs: 1e12, log: () => {}, now: () => ARRIVED });
    expect(read.warnings).toEqual([]);
    expect(read.keys).toEqual([...before, ...after]);
  });
});

describe('DedupeKeyFile: a last line a crash cut short', () => {
  it('the next append starts on a line of its own: its first key is not glued onto the torn line and lost', async () => {
    const dir = await tempDir('dedupe-keys');
    const whole: DedupeKey = { key: 'sha256:aa', id: 'd-1', at: ARRIVED };
    const torn = lineOf({ key: 'sha256:bb', id: 'd-2', at: ARRIVED }).slice(0, 20);
    await writeFile(join(dir, DEDUPE_KEYS_FILE), lineOf(whole) + torn);
    const open = () => DedupeKeyFile.open({ dir, retentionMs: HOUR, log: () => {}, now: () => ARRIVED });

    const first = await open();
    expect(first.keys).toEqual([whole]);
    expect(first.warnings).toEqual([`${DEDUPE_KEYS_FILE}: skipped 1 unreadable line(s) (a write cut short by a crash leaves one).`]);
    const added: DedupeKey = { key: 'sha256:cc', id: 'd-3', at: ARRIVED };
    await first.file.append([added]);
    await first.file.close();

    const second = await open();
    expect(second.keys).toEqual([whole, added]);
    await second.file.close();
    expect(await readFile(join(dir, DEDUPE_KEYS_FILE), 'utf8')).toBe(`${lineOf(whole)}${torn}\n${lineOf(added)}`);
  });
});
