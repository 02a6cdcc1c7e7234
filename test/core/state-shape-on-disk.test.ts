/**
 * A state folder whose entries have the wrong kind: a folder where a state file belongs, a file
 * where the journal folder belongs. Each command says which entry is in the way and what to do,
 * never "free some space or fix the permissions", never a stack trace.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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
