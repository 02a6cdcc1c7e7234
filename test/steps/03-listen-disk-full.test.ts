/**
 * Step 3 on a full disk (issue 14, fault 3): it used to die with `Unexpected error: Error: ENOSPC … at
 * writeFileAtomic` and leave `listener.json.<pid>.<hex>.tmp` behind. The disk is real: a 64 KiB tmpfs
 * mounted in a private mount namespace (`unshare -rm`, no privileges needed beyond user namespaces),
 * filled with a file, with step 3 started as `npm run step:3` starts it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const PAGE = 4096;
const TMPFS_PAGES = 16;

interface FullDiskRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `find` of the state folder after step 3 ended, one path per line. */
  readonly files: string[];
}

/** Step 3 with its state folder on a tmpfs that has `freePages` pages left; the folder is listed after it exits. */
async function stepThreeOnFullDisk(freePages: number): Promise<FullDiskRun> {
  // The mount point is the test's own temp folder (removed after the test); the tmpfs lives only in the shell's namespace.
  const state = await tempDir('disk-full');
  const script = `
    set -u
    state="$STATE"
    mount -t tmpfs -o size=${TMPFS_PAGES * PAGE} tmpfs "$state" || { echo "cannot mount a tmpfs: run as root or allow user namespaces" >&2; exit 90; }
    dd if=/dev/zero of="$state/fill" bs=${PAGE} count=${TMPFS_PAGES - freePages} 2>/dev/null
    WORKBENCH_STATE_DIR="$state" LISTEN_PORT=0 INSPECT_PORT=0 "$NODE" --import tsx "$STEP3" </dev/null
    code=$?
    echo "::files::"
    find "$state" -mindepth 1 | sed "s#^$state/##"
    exit $code`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', script], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE: process.execPath,
        STEP3: join(PROJECT_ROOT, 'steps/03-listen-for-webhooks.ts'),
        STATE: state,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const [output = '', listing = ''] = stdout.split('::files::\n');
      resolve({ code, stdout: output, stderr, files: listing.split('\n').filter((line) => line !== '') });
    });
  });
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
