/**
 * Issue 13: RECORD=NAME on single steps, as a person runs them in three terminals: each step adds
 * its calls (step 5 the deliveries about the test user) to one recording, with one numbering of
 * the placeholders across the processes; the recording replays step by step. Without RECORD a step
 * records nothing. And `npm start -- --record` refuses a name that cannot be a folder.
 */
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getToken } from '../../steps/01-get-token.ts';
import { subscribeWebhook } from '../../steps/02-subscribe-webhook.ts';
import { listen } from '../../steps/03-listen-for-webhooks.ts';
import { createTestUser } from '../../steps/04-create-test-user.ts';
import { verifyLatestDelivery } from '../../steps/05-verify-delivery.ts';
import { deleteTestUser } from '../../steps/06-delete-test-user.ts';
import { recordNameProblem, withRecordName } from '../../scripts/walkthrough/record.ts';
import { isRecordingName, loadConfig, PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { readRecording, recordingDirToWrite, recordingStep } from '../../steps/lib/record/index.ts';
import { sandboxRun } from '../e2e/helpers.ts';
import { onCleanup } from '../helpers/cleanup.ts';
import { runScript } from '../helpers/process.ts';
import { replayRecording } from '../helpers/recorded.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('RECORD=NAME on single steps', () => {
  it('adds each step to one recording, numbers placeholders once across the steps, and replays step by step', async () => {
    const run = await sandboxRun();
    const root = await tempDir('recordings');
    const config = loadConfig({ env: { ...run.env, RECORD: 'steps-test' } });
    const lines: string[] = [];
    const deps = { config, log: (line: string) => void lines.push(line), next: () => {} };
    const options = { config, root, log: deps.log };
    const listening = await listen({ ...deps, handler: async () => {} });
    onCleanup(() => listening.close());

    await recordingStep('step:1', () => getToken(deps), options);
    await recordingStep('step:2', () => subscribeWebhook(deps), options);
    await recordingStep('step:4', () => createTestUser(deps), options);
    await run.sandbox.whenIdle(5000);
    await listening.listener.idle();
    await recordingStep('step:5', () => verifyLatestDelivery(deps), { ...options, deliveries: 'this-user' });
    await recordingStep('step:6', () => deleteTestUser(deps), options);

    expect(lines.filter((line) => line.startsWith('Recorded '))).toEqual([
      expect.stringMatching(/^Recorded 1 calls and 0 deliveries in .*steps-test\//),
      expect.stringMatching(/^Recorded 2 calls and 0 deliveries/),
      expect.stringMatching(/^Recorded 3 calls and 0 deliveries/),
      expect.stringMatching(/^Recorded 3 calls and 1 delivery/),
      expect.stringMatching(/^Recorded 5 calls and 1 delivery/),
    ]);
    const recording = await readRecording(join(root, 'steps-test'));
    expect(recording.about.runs.map((r) => [r.source, r.command, r.ok])).toEqual([
      ['step:1', 'RECORD=steps-test npm run step:1', true],
      ['step:2', 'RECORD=steps-test npm run step:2', true],
      ['step:4', 'RECORD=steps-test npm run step:4', true],
      ['step:5', 'RECORD=steps-test npm run step:5', true],
      ['step:6', 'RECORD=steps-test npm run step:6', true],
    ]);
    expect(recording.calls.map((call) => [call.run, call.method, call.path])).toEqual([
      [0, 'POST', '/connect/token'],
      [1, 'PUT', '/api/webhook/merge/domain/900001/event/user_create'],
      [2, 'POST', '/api/user/create/domain/900001'],
      [4, 'DELETE', '/api/user/delete/domain/900001/user/1001'],
      [4, 'PUT', '/api/webhook/merge/domain/900001/event/user_create'],
    ]);
    // One token, one secret, one user across five processes' worth of recording.
    expect(recording.calls.slice(1).map((call) => call.reqheaders.authorization)).toEqual(Array(4).fill('Bearer recorded-access-token-1'));
    expect(recording.deliveries.map(({ meta }) => [meta.run, meta.event, meta.signedWith])).toEqual([[3, 'User_Create', 'recorded-webhook-secret-1']]);
    expect(recording.about.replay).toMatchObject({ usernames: ['recorded-user-1'], webhookSecrets: ['recorded-webhook-secret-1'] });

    // The numbering lives in the state folder, as hashes: no value in it.
    const book = await readFile(join(run.stateDir, 'recordings', 'steps-test.json'), 'utf8');
    const webhook = JSON.parse(await readFile(join(run.stateDir, 'webhook.json'), 'utf8')) as { secret: string };
    expect(book).not.toContain(webhook.secret);
    expect(book).not.toContain('demo-secret');

    const { runs, scopes } = await replayRecording(recording);
    expect(
      runs.map((r) => [r.source, r.ok]),
      runs.map((r) => r.log.join('\n')).join('\n'),
    ).toEqual(recording.about.runs.map((r) => [r.source, true]));
    expect(scopes.every((scope) => scope.isDone())).toBe(true);
  });

  it('without RECORD, a step runs as always and writes no recording', async () => {
    const run = await sandboxRun();
    const root = await tempDir('recordings');
    const token = await recordingStep('step:1', () => getToken({ config: run.config, log: () => {} }), { config: run.config, root });
    expect(token.source).toBe('identity');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('npm start -- --record [NAME]', () => {
  it('a bare --record gets a name of its own; a NAME is kept', () => {
    expect(withRecordName(['--record'])).toEqual(['--record=']);
    expect(withRecordName(['--record', '--yes'])).toEqual(['--record=', '--yes']);
    expect(withRecordName(['--record', 'demo', '--yes'])).toEqual(['--record', 'demo', '--yes']);
  });

  it('refuses a name that is not a plain folder name as a wrong command line: exit 2 before the banner, the rule, nothing written', async () => {
    const stateDir = await tempDir('record-name');
    const result = await runScript('scripts/walkthrough.ts', { args: ['--record', '../escape'], env: { WORKBENCH_STATE_DIR: stateDir } });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'Error: --record "../escape" cannot name a recording. [WORKBENCH_CONFIG_INVALID]\n' +
        'Next: Use letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit and not ending with ".", not a Windows device name (con, nul, com1...), e.g. demo or live-2026-11-30.\n',
    });
    await expect(access(join(PROJECT_ROOT, 'test', 'fixtures', 'escape'))).rejects.toThrow();
  });

  // Linux makes such folders, but a clone of the repository on Windows could not (a device name, with
  // or without an extension; a trailing dot is dropped): the recording would break the repository for others.
  it.each(['con', 'NUL', 'com1', 'Lpt9.json', 'aux.demo', 'demo.', 'demo_'.repeat(13).slice(0, 65)])('refuses %s as a recording name', (name) => {
    expect(isRecordingName(name)).toBe(false);
  });

  it.each(['demo', 'console', 'nul-run', 'live-2026-11-30.1'])('accepts %s', (name) => {
    expect(isRecordingName(name)).toBe(true);
  });

  it('refuses a name that differs only in letter case from a recording there (on macOS it would replace it): --record Demo beside demo', () => {
    const problem = recordNameProblem('Demo');
    expect([problem?.code, problem?.message, problem?.hint]).toEqual([
      'WORKBENCH_CONFIG_INVALID',
      '--record "Demo" differs only in letter case from the recording in test/fixtures/recorded/demo: on macOS and Windows they are one folder, so it would be replaced.',
      'Use "demo" to replace that recording, or another name.',
    ]);
    expect(recordNameProblem('demo')).toBeUndefined(); // the same name replaces it, as documented
  });

  it('RECORD=Demo for a single step is refused the same way before anything is recorded', async () => {
    const root = await tempDir('record-case');
    await mkdir(join(root, 'demo'));
    expect(() => recordingDirToWrite('Demo', root, 'RECORD')).toThrow(/^RECORD "Demo" differs only in letter case from the recording in \S+demo: /);
    expect(recordingDirToWrite('other', root)).toBe(join(root, 'other'));
  });

  it('RECORD with a name that cannot be a folder is a configuration error naming RECORD', () => {
    expect(() => loadConfig({ env: { RECORD: 'a/b' } })).toThrow(
      'RECORD="a/b" is not valid: expected a recording name: letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit and not ending with ".", not a Windows device name (con, nul, com1...), e.g. demo or live-2026-11-30.',
    );
  });
});
