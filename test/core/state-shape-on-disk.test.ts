/**
 * A state folder whose entries have the wrong kind: a folder where a state file belongs, a file
 * where the journal folder belongs. Each command says which entry is in the way and what to do,
 * never "free some space or fix the permissions", never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { STATE_CORRUPT, STATE_WRITE_FAILED, StateError } from '../../steps/lib/core/errors.ts';
import { openState, writeFileAtomic } from '../../steps/lib/core/state.ts';
import { rejection } from '../helpers/rejection.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('a folder where a state file belongs', () => {
  test('state.read says it is a folder and how to rewrite the file', async () => {
    const dir = await tempDir('state-kind');
    await mkdir(join(dir, 'webhook.json'));
    const error = await rejection(openState(dir).read('webhook'));
    expect(error).toBeInstanceOf(StateError);
    expect(error.code).toBe(STATE_CORRUPT);
    expect(error.message).toBe(`${join(dir, 'webhook.json')} is a folder, not the file its step writes.`);
    expect(error.hint).toBe(
      `Delete ${join(dir, 'webhook.json')} and run \`npm run step:2\` again (it subscribes again, with a new secret unless WEBHOOK_SECRET is set).`,
    );
  });
});

describe('a named pipe or a device where a state file belongs', () => {
  test('state.read says what it is at once (it waited for a writer forever, or read /dev/zero until memory ran out)', async () => {
    const dir = await tempDir('state-kind');
    expect(spawnSync('mkfifo', [join(dir, 'webhook.json')]).status).toBe(0);
    await symlink('/dev/zero', join(dir, 'listener.json'));
    const pipe = await rejection(openState(dir).read('webhook'));
    expect(pipe).toBeInstanceOf(StateError);
    expect(pipe.code).toBe(STATE_CORRUPT);
    expect(pipe.message).toBe(`${join(dir, 'webhook.json')} is a named pipe (FIFO), not the file its step writes.`);
    expect(pipe.hint).toBe(
      `Delete ${join(dir, 'webhook.json')} and run \`npm run step:2\` again (it subscribes again, with a new secret unless WEBHOOK_SECRET is set).`,
    );
    const device = await rejection(openState(dir).read('listener'));
    expect(device.code).toBe(STATE_CORRUPT);
    expect(device.message).toBe(`${join(dir, 'listener.json')} is a device, not the file its step writes.`);
  });

  test('npm run doctor -- --json: the subscription line is ✘ naming the pipe, the JSON whole, exit 1', async () => {
    const dir = await tempDir('state-kind');
    expect(spawnSync('mkfifo', [join(dir, 'webhook.json')]).status).toBe(0);
    const result = await runScript('scripts/doctor.ts', {
      args: ['--json', '--dotenv', join(dir, 'none.env')],
      env: { WORKBENCH_STATE_DIR: dir, HTTP_TIMEOUT_MS: '500' },
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; summary: string }[] };
    expect(report.checks.find((check) => check.id === 'subscription-target')).toMatchObject({
      status: 'fail',
      summary: `${join(dir, 'webhook.json')} is a named pipe (FIFO), not the file its step writes.`,
    });
  });
});

describe('a file where a folder belongs', () => {
  test('a write through it says which file is in the way, not that the disk is full', async () => {
    const dir = await tempDir('state-kind');
    await writeFile(join(dir, 'journal'), '');
    const error = await rejection(writeFileAtomic(join(dir, 'journal', 'journal-000001.bin'), 'x'));
    expect(error).toBeInstanceOf(StateError);
    expect(error.code).toBe(STATE_WRITE_FAILED);
    expect(error.message).toBe(`Cannot write ${join(dir, 'journal', 'journal-000001.bin')}: ${join(dir, 'journal')} is a file, not a folder.`);
    expect(error.hint).toBe(`Move ${join(dir, 'journal')} away (the workbench makes the folder), then run this again.`);
  });

  test.each([
    ['step 3', 'steps/03-listen-for-webhooks.ts', []],
    ['step 5', 'steps/05-verify-delivery.ts', []],
  ] as const)('%s names the journal file in the way and exits 1, without a stack trace', async (_name, script, args) => {
    const dir = await tempDir('state-kind');
    const journal = join(dir, 'journal');
    await writeFile(journal, '');
    const result = await runScript(script, {
      args,
      env: { WORKBENCH_STATE_DIR: dir, WEBHOOK_SECRET: 'k7Qm2vXw9Lp4Rt8Yz3Bn6Hc1Df5Gj0', LISTEN_PORT: '0', INSPECT_PORT: '0' },
    });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).toContain(`${journal} is a file, not a folder.`);
    expect(output).toContain(`Next: Move ${journal} away (the workbench makes the folder), then run this again.`);
    expect(output).not.toContain('Free some space');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
