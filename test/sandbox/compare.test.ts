/**
 * `npm run sandbox -- --compare NAME` (scripts/sandbox/compare.ts): the demo recording, made against
 * the sandbox, agrees with a default sandbox; a sandbox whose payload renames a field, or whose
 * delete route differs, is told apart field by field, and the exit code says which. Exit 0 runs the
 * script as a user does; exits 1 and 2 call compareCommand (what the script runs, which returns the
 * exit code) in this process, to spare two process starts.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compareCommand } from '../../scripts/sandbox/compare-cli.ts';
import { compareWithSandbox } from '../../scripts/sandbox/compare.ts';
import { compareDeliveries } from '../../scripts/sandbox/compare-deliveries.ts';
import { headerDifferences, shapeDifferences } from '../../scripts/sandbox/compare-shapes.ts';
import { encodePayload, type EventPayload } from '../../scripts/sandbox/events.ts';
import { sandboxOptionsFromConfig } from '../../scripts/sandbox/index.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { readRecording, recordingDir, type Recording } from '../../steps/lib/record/index.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** A recording's two JSON files, parsed, for a test to edit. */
interface RecordingFiles {
  about: Record<string, unknown>;
  calls: unknown[];
}

const defaults = () => sandboxOptionsFromConfig(loadConfig({ env: {} }));

/** `npm run sandbox -- --compare NAME` with `env` as its environment, in this process: its exit code and output. */
async function compareInProcess(
  name: string,
  env: Record<string, string> = {},
  recordings?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await compareCommand(
    name,
    loadConfig({ env }),
    (line) => out.push(line),
    (line) => err.push(stripVTControlCharacters(line)),
    recordings,
  );
  return { code, stdout: out.map((line) => `${line}\n`).join(''), stderr: err.map((line) => `${line}\n`).join('') };
}

describe('compareWithSandbox(demo recording, sandbox)', () => {
  it('finds no difference with the default sandbox, and says what it compared', async () => {
    const recording = await readRecording(recordingDir('demo'));
    const comparison = await compareWithSandbox({ recording, sandbox: defaults() });
    expect(comparison.differences).toEqual([]);
    expect(comparison.compared).toEqual([
      'POST /connect/token',
      'PUT /api/webhook/merge/domain/{domainkey}/event/user_create',
      'POST /api/user/create/domain/{domainkey}',
      'DELETE /api/user/delete/domain/{domainkey}/user/{userkey}',
      // step 6 switches the subscription off again
      'PUT /api/webhook/merge/domain/{domainkey}/event/user_create',
      'User_Create delivery',
    ]);
  });

  it('reports a payload field the sandbox renamed (username → userName), both ways', async () => {
    const recording = await readRecording(recordingDir('demo'));
    // The seam: the same events, written with one field renamed, as a Bracken that differs would.
    const renamed = (payload: EventPayload) => encodePayload(payload).replace('"username":', '"userName":');
    const comparison = await compareWithSandbox({ recording, sandbox: { ...defaults(), encodePayload: renamed } });
    expect(comparison.differences).toEqual([
      { where: 'User_Create delivery', what: `field "username" (string) is in the recording, not in the sandbox's` },
      { where: 'User_Create delivery', what: `field "userName" (string) is in the sandbox's, not in the recording` },
    ]);
  });
});

describe('compareDeliveries(recording, received, encode) for an event the replayed calls do not fire', () => {
  /** The demo recording with its one delivery's body replaced by `payload` (a portal event, as a live run could record). */
  async function withDelivery(payload: Record<string, unknown>): Promise<Recording> {
    const demo = await readRecording(recordingDir('demo'));
    const [first] = demo.deliveries;
    if (first === undefined) throw new Error('the demo recording has no delivery');
    const body = Buffer.from(JSON.stringify(payload));
    return { ...demo, deliveries: [{ meta: { ...first.meta, event: String(payload.eventname), bodyBytes: body.length }, body }] };
  }
  const moduleComplete = {
    eventname: 'Module_Complete',
    domainkey: 900001,
    userkey: 1001,
    username: 'recorded-user-1',
    modulekey: 7,
    passed: false,
    mark: 40,
    certificate: null,
    expires: null,
    timestamp: '2026-11-30T07:44:15.000Z',
  };

  it("holds it against the payload the sandbox would send: a failed Module_Complete's null certificate fits", async () => {
    expect(compareDeliveries(await withDelivery(moduleComplete), [], encodePayload).differences).toEqual([]);
  });

  it('reports a field the sandbox does not send, and one sent with another JSON type', async () => {
    const recording = await withDelivery({ ...moduleComplete, mark: '40', joincode: 'ABC123' });
    expect(compareDeliveries(recording, [], encodePayload).differences).toEqual([
      { where: 'Module_Complete delivery', what: `field "mark" is a string in the recording, a number in the sandbox's` },
      { where: 'Module_Complete delivery', what: `field "joincode" (string) is in the recording, not in the sandbox's` },
    ]);
  });
});

describe('npm run sandbox -- --compare NAME', () => {
  it('exits 0 and ticks each call and delivery when the sandbox agrees', async () => {
    const result = await runScript('scripts/sandbox.ts', { args: ['--compare', 'demo'] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ DELETE /api/user/delete/domain/{domainkey}/user/{userkey}\n✔ User_Create delivery\n');
    expect(result.stdout).toContain("No differences: the sandbox's choices agree with what the recording saw.");
  });

  it('exits 1 and names the delete route when BRACKEN_USER_DELETE_ROUTE gives the sandbox another one', async () => {
    const result = await compareInProcess('demo', { BRACKEN_USER_DELETE_ROUTE: 'POST /api/user/remove/domain/{domainkey}/user/{userkey}' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✘ the delete-user route: the recording deleted the user with DELETE /api/user/delete/domain/{domainkey}/user/{userkey} (its BRACKEN_USER_DELETE_ROUTE), the sandbox serves POST /api/user/remove/domain/{domainkey}/user/{userkey}',
    );
    // The recorded route is not served by this sandbox: the call's answer differs too.
    expect(result.stdout).toMatch(/✘ DELETE \/api\/user\/delete\/domain\/\{domainkey\}\/user\/\{userkey\}: status 200 in the recording, 404 in the sandbox's/);
    expect(result.stdout).toMatch(/\n\d+ differences\. This recording was made against the sandbox/);
  });

  // Before, a calls.json entry edited into another shape stopped the comparison with "Unexpected
  // error: TypeError: Cannot read properties of undefined (reading 'replace')" and a stack trace.
  it.each([
    [
      'a call without its path',
      (files: RecordingFiles) => Reflect.deleteProperty(files.calls[1] as object, 'path'),
      'calls.json[1].path is missing, not a string',
    ],
    ['a call that is null', (files: RecordingFiles) => files.calls.splice(0, 1, null), 'calls.json[0] is null, not an object'],
    [
      'a header value that is a number',
      (files: RecordingFiles) => Object.assign(files.calls[1] as object, { rawHeaders: { 'content-type': 5 } }),
      'calls.json[1].rawHeaders["content-type"] is 5, not a string',
    ],
    [
      'a method that is not one',
      (files: RecordingFiles) => Object.assign(files.calls[1] as object, { method: 'BAD METHOD' }),
      'calls.json[1].method is "BAD METHOD", not an HTTP method',
    ],
    // Joined to the sandbox's origin, "@evil.example/x" would send the call to evil.example.
    [
      'a path that does not start with /',
      (files: RecordingFiles) => Object.assign(files.calls[1] as object, { path: '@evil.example/x' }),
      'calls.json[1].path is "@evil.example/x", not a path (starting with /)',
    ],
    [
      'about.json without its environment',
      (files: RecordingFiles) => Reflect.deleteProperty(files.about, 'environment'),
      'about.json: environment is missing, not an object',
    ],
  ])('exits 3 with RECORDING_CORRUPT naming the field when the recording holds %s', async (_what, edit, problem) => {
    const root = await tempDir('recordings');
    await cp(recordingDir('demo'), join(root, 'edited'), { recursive: true });
    const files: RecordingFiles = {
      about: JSON.parse(await readFile(join(root, 'edited', 'about.json'), 'utf8')) as Record<string, unknown>,
      calls: JSON.parse(await readFile(join(root, 'edited', 'calls.json'), 'utf8')) as unknown[],
    };
    edit(files);
    await writeFile(join(root, 'edited', 'about.json'), JSON.stringify(files.about));
    await writeFile(join(root, 'edited', 'calls.json'), JSON.stringify(files.calls));
    const result = await compareInProcess('edited', {}, root);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr:
        `Error: The recording in ${join(root, 'edited')} cannot be used: ${problem}. [WORKBENCH_RECORDING_CORRUPT]\n` +
        'Next: Record it again (`npm start -- --record <name>`), or restore the folder from git.\n',
    });
  });

  it('exits 2 and names the folder when there is no such recording', async () => {
    const result = await compareInProcess('no-such-recording');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no-such-recording');
  });
});

describe('shapeDifferences and headerDifferences', () => {
  it('shapeDifferences reports a field whose JSON type differs, and a body of another kind', () => {
    expect(shapeDifferences('A', { userkey: 1001 }, { userkey: '1001' })).toEqual([
      { where: 'A', what: `field "userkey" is a number in the recording, a string in the sandbox's` },
    ]);
    expect(shapeDifferences('B', 'OK', { ok: true })).toEqual([{ where: 'B', what: `the body is a string in the recording, an object in the sandbox's` }]);
  });

  it('headerDifferences compares Content-Type by value (case and spaces aside) and ignores what the rules leave out', () => {
    const rules = { values: ['content-type'], ignore: (name: string) => name === 'date' };
    expect(
      headerDifferences('C', { 'Content-Type': 'application/json; charset=utf-8', date: 'x' }, { 'content-type': 'application/json;charset=UTF-8' }, rules),
    ).toEqual([]);
    expect(headerDifferences('C', { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }, rules)).toEqual([
      { where: 'C', what: `header content-type is "application/json" in the recording, "text/plain" in the sandbox's` },
    ]);
  });
});
