/**
 * A named pipe (or a device) where the journal keeps a file: a plain read waited for a writer
 * forever, so `npm run doctor`, the inspector and step 3 hung without a word. Now a journal file
 * that is not a file is STATE_CORRUPT naming it, and the dedupe key file, which the journal can
 * rebuild, is warned about and written anew.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { STATE_CORRUPT, StateError } from '../../steps/lib/core/errors.ts';
import { journalDir, openJournal, readJournal } from '../../steps/lib/journal/index.ts';
import { runScript } from '../helpers/process.ts';
import { rejection } from '../helpers/rejection.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function mkfifo(path: string): void {
  expect(spawnSync('mkfifo', ['-m', '600', path]).status).toBe(0);
}

describe('a named pipe in the journal folder', () => {
  test('as a journal file: reading the journal is STATE_CORRUPT naming it and what to do', async () => {
    const dir = await tempDir('journal-pipe');
    const pipe = join(dir, 'journal-000001.bin');
    mkfifo(pipe);
    const error = await rejection(readJournal(dir));
    expect(error).toBeInstanceOf(StateError);
    expect(error.code).toBe(STATE_CORRUPT);
    expect(error.message).toBe(`${pipe} is a named pipe (FIFO), not a journal file.`);
    expect(error.hint).toBe(`Move ${pipe} out of the journal folder: only the listener writes files named journal-*.`);
  });

  test('as the dedupe key file: the journal opens with a warning (the file is written anew at the next append)', async () => {
    const dir = await tempDir('journal-pipe');
    const pipe = join(dir, 'dedupe-keys.ndjson');
    mkfifo(pipe);
    const journal = await openJournal({ dir, maxBytes: 1 << 20, keepFiles: 2 });
    await journal.close();
    expect(journal.warnings).toEqual([
      `dedupe-keys.ndjson: could not read it (${pipe} is a named pipe (FIFO), not a file.); a retry of a delivery older than the journal's files will run its handler again.`,
    ]);
  });

  test('npm run doctor -- --json: the store line is ✘ naming it, the JSON whole, exit 1', async () => {
    const stateDir = await tempDir('journal-pipe');
    await mkdir(journalDir(stateDir), { mode: 0o700 });
    const pipe = join(journalDir(stateDir), 'journal-000001.bin');
    mkfifo(pipe);
    const result = await runScript('scripts/doctor.ts', {
      args: ['--json', '--dotenv', join(stateDir, 'none.env')],
      env: { WORKBENCH_STATE_DIR: stateDir, HTTP_TIMEOUT_MS: '500' },
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; summary: string }[] };
    expect(report.checks.find((check) => check.id === 'store')).toMatchObject({
      status: 'fail',
      summary: `store unhealthy: ${pipe} is a named pipe (FIFO), not a journal file. [WORKBENCH_STATE_CORRUPT]`,
    });
  });
});
