/**
 * A workbench script run with its state folder on a full disk. The disk is real: a 64 KiB tmpfs
 * mounted in a private mount namespace (`unshare -rm`, no privileges needed beyond user namespaces),
 * filled with a file but for `freePages` pages, and the script started as `npm run` starts it
 * (`node --import tsx <file>`). The folder is listed after the script exits.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { tempDir } from './temp-dir.ts';

const PAGE = 4096;
const TMPFS_PAGES = 16;

export interface FullDiskRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `find` of the state folder after the script ended, one path per line, relative to it. */
  readonly files: string[];
}

/** Runs `script` (relative to the project root) with WORKBENCH_STATE_DIR on a tmpfs with `freePages` pages left. */
export async function runOnFullDisk(script: string, freePages: number, env: Record<string, string> = {}): Promise<FullDiskRun> {
  // The mount point is the test's own temp folder (removed after the test); the tmpfs lives only in the shell's namespace.
  const state = await tempDir('disk-full');
  const shell = `
    set -u
    state="$STATE"
    mount -t tmpfs -o size=${TMPFS_PAGES * PAGE} tmpfs "$state" || { echo "cannot mount a tmpfs: run as root or allow user namespaces" >&2; exit 90; }
    dd if=/dev/zero of="$state/fill" bs=${PAGE} count=${TMPFS_PAGES - freePages} 2>/dev/null
    WORKBENCH_STATE_DIR="$state" "$NODE" --import tsx "$SCRIPT" </dev/null
    code=$?
    echo "::files::"
    find "$state" -mindepth 1 | sed "s#^$state/##"
    exit $code`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', shell], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, NODE: process.execPath, SCRIPT: join(PROJECT_ROOT, script), STATE: state, NO_COLOR: '1', FORCE_COLOR: '0' },
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
