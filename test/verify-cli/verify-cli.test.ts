/**
 * `npm run verify` as a user runs it: a child process, its exit code (0 valid, 1 invalid, 2 bad
 * arguments), its exact output, a body from a file or stdin, and `--sign` output fed back to it.
 * The other argument cases run in-process (run-verify.test.ts) to keep this file fast.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommand, runScript, type ScriptResult } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_HEADER = 'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

/** Runs `node --import tsx scripts/verify.ts ...args` (what `npm run verify --` runs), or `command ...args`, with `stdin` piped in. */
function verifyCli(args: readonly string[], stdin: string | Buffer = '', command?: readonly string[]): Promise<ScriptResult> {
  return command === undefined ? runScript('scripts/verify.ts', { args, stdin }) : runCommand([...command, ...args], { stdin });
}

let helloFile = '';
beforeAll(async () => {
  helloFile = join(await tempDir('verify-cli'), 'hello.txt');
  await writeFile(helloFile, 'Hello, World!');
});

describe.concurrent('npm run verify', () => {
  it('exit 0 and "valid" for the GitHub docs vector (--body-file)', async () => {
    const run = await verifyCli(['--scheme', 'github', '--secret', GITHUB_SECRET, '--header', GITHUB_HEADER, '--body-file', helloFile]);
    expect(run).toEqual({ code: 0, stdout: 'valid\n', stderr: '' });
  });

  it('exit 1 with the reason and the diagnosis when a newline was added to the body', async () => {
    const run = await verifyCli(['--scheme', 'github', '--secret', GITHUB_SECRET, '--header', GITHUB_HEADER], 'Hello, World!\n');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      'invalid: signature_mismatch: The signature does not match the body under the configured secret.\n' +
        'diagnosis: trailing_newline_added: The signature matches the body without its final newline: a newline was added after signing ' +
        '(editors, echo and heredocs add one). Save bodies without a trailing newline (printf, not echo), or verify the bytes exactly as received.\n',
    );
  });

  it('exit 2 listing the schemes for an unknown scheme, coded WORKBENCH_VERIFY_USAGE, then the usage', async () => {
    const run = await verifyCli(['--scheme', 'stripe', '--secret', 'x', '--body-file', helloFile]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^Error: unknown scheme "stripe"; choose one of: bracken, typeform, tradelens, guuru, github, standard-webhooks, vonage, vonage-md5hash, vonage-md5, vonage-sha1, vonage-sha256, vonage-sha512\. \[WORKBENCH_VERIFY_USAGE\]\n\nUsage:\n {2}npm run verify -- --scheme <name>/,
    );
  });

  it('--sign prints the headers, and verify accepts them (github)', async () => {
    const signed = await verifyCli(['--sign', '--scheme', 'github', '--secret', GITHUB_SECRET, '--body-file', helloFile]);
    expect(signed).toEqual({ code: 0, stdout: 'x-hub-signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n', stderr: '' });
    const header = signed.stdout.trim();
    expect(await verifyCli(['--scheme', 'github', '--secret', GITHUB_SECRET, '--header', header, '--body-file', helloFile])).toMatchObject({
      code: 0,
      stdout: 'valid\n',
    });
  });

  it('runs through the npm script too', async () => {
    const run = await verifyCli(['--scheme', 'github', '--secret', GITHUB_SECRET, '--header', GITHUB_HEADER, '--body-file', helloFile], '', [
      'npm',
      'run',
      '-s',
      'verify',
      '--',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('valid\n');
  });
});
