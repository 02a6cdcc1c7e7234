/**
 * Step 3 on a full disk (issue 14, fault 3): it used to die with `Unexpected error: Error: ENOSPC … at
 * writeFileAtomic` and leave `listener.json.<pid>.<hex>.tmp` behind. The disk is a real, full tmpfs
 * (test/helpers/full-disk.ts).
 */
import { describe, expect, test } from 'vitest';
import { type FullDiskRun, runOnFullDisk } from '../helpers/full-disk.ts';

/** Step 3 with its state folder on a tmpfs that has `freePages` pages left. */
function stepThreeOnFullDisk(freePages: number): Promise<FullDiskRun> {
  return runOnFullDisk('steps/03-listen-for-webhooks.ts', freePages, { LISTEN_PORT: '0', INSPECT_PORT: '0' });
}

describe('npm run step:3 with a full state disk', () => {
  test('when listener.json cannot be written: a coded error and a Next: line, exit 1, no stack trace, no .tmp file', async () => {
    // One free page: the journal's lock takes it, so the journal opens and listener.json is what fails.
    const run = await stepThreeOnFullDisk(1);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^Error: Cannot write \/\S+\/listener\.json: the disk is full \(ENOSPC\)\. \[WORKBENCH_STATE_WRITE_FAILED\]$/m);
    expect(run.stderr).toMatch(
      /^Next: Free some space or fix the permissions of \/\S+, or point WORKBENCH_STATE_DIR at another folder, then run this again\.$/m,
    );
    expect(run.stderr).not.toContain('Unexpected error');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('Listening for webhooks');
    expect(run.files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
    expect(run.files).not.toContain('listener.json');
  });

  test('when the journal cannot be created: the same coded error naming the journal folder, and no lock left behind', async () => {
    const run = await stepThreeOnFullDisk(0);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^Error: Cannot write \/\S+\/journal: the disk is full \(ENOSPC\)\. \[WORKBENCH_STATE_WRITE_FAILED\]$/m);
    expect(run.stderr).toMatch(/^Next: /m);
    expect(run.stderr).not.toContain('Unexpected error');
    expect(run.files).not.toContain('journal/journal.lock');
    expect(run.files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });
});
