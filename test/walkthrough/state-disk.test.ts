/**
 * `npm start` when its state folder cannot take the run: a file where `walkthrough/` should be, or
 * a full disk. It used to die with an ENOTDIR stack trace (the run folder) or say the folder was not
 * writable and to check WORKBENCH_STATE_DIR (the sandbox's lock on a full disk). Now: the coded error
 * naming what failed and why, the Next line that helps, exit 1.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runOnFullDisk } from '../helpers/full-disk.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('npm start with a state folder that cannot take the run', () => {
  test('a file named walkthrough: names it and says to move it away', async () => {
    const stateDir = await tempDir('walkthrough-state');
    const inTheWay = join(stateDir, 'walkthrough');
    await writeFile(inTheWay, '');
    const result = await runScript('scripts/walkthrough.ts', { env: { WORKBENCH_STATE_DIR: stateDir, SANDBOX_PORT: '0' } });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).toMatch(
      new RegExp(`^Error: Cannot write ${inTheWay}/[^:]+: ${inTheWay} is a file, not a folder\\. \\[WORKBENCH_STATE_WRITE_FAILED\\]$`, 'm'),
    );
    expect(output).toContain(`\nNext: Move ${inTheWay} away (the workbench makes the folder), then run this again.\n`);
    expect(output).not.toMatch(/^\s+at /m);
  });

  test('a full disk: the disk is full, and what to do about it', async () => {
    const run = await runOnFullDisk('scripts/walkthrough.ts', 0, { SANDBOX_PORT: '0' });
    const output = run.stdout + run.stderr;
    expect(run.code, output).toBe(1);
    expect(output).toMatch(/^Error: Cannot write \/\S+\.lock: the disk is full \(ENOSPC\)\. \[WORKBENCH_STATE_WRITE_FAILED\]$/m);
    expect(output).toMatch(/^Next: Free some space or fix the permissions of \/\S+, or point WORKBENCH_STATE_DIR at another folder, then run this again\.$/m);
    expect(output).not.toMatch(/^\s+at /m);
    expect(run.files.filter((file) => file.endsWith('.tmp') || file.endsWith('.lock'))).toEqual([]);
  });
});
