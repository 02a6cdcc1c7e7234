/**
 * `npm run sandbox -- --compare NAME` (scripts/sandbox/compare.ts): the demo recording, made against
 * the sandbox, agrees with a default sandbox; a sandbox whose payload renames a field, or whose
 * delete route differs, is told apart field by field, and the exit code says which.
 */
import { describe, expect, it } from 'vitest';
import { compareWithSandbox } from '../../scripts/sandbox/compare.ts';
import { headerDifferences, shapeDifferences } from '../../scripts/sandbox/compare-shapes.ts';
import { encodePayload, type EventPayload } from '../../scripts/sandbox/events.ts';
import { sandboxOptionsFromConfig } from '../../scripts/sandbox/index.ts';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { readRecording, recordingDir } from '../../steps/lib/record/index.ts';
import { runScript } from '../helpers/process.ts';

const defaults = () => sandboxOptionsFromConfig(loadConfig({ env: {} }));

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

describe('npm run sandbox -- --compare NAME', () => {
  it('exits 0 and ticks each call and delivery when the sandbox agrees', async () => {
    const result = await runScript('scripts/sandbox.ts', { args: ['--compare', 'demo'] });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ DELETE /api/user/delete/domain/{domainkey}/user/{userkey}\n✔ User_Create delivery\n');
    expect(result.stdout).toContain("No differences: the sandbox's choices agree with what the recording saw.");
  });

  it('exits 1 and names the delete route when BRACKEN_USER_DELETE_ROUTE gives the sandbox another one', async () => {
    const result = await runScript('scripts/sandbox.ts', {
      args: ['--compare', 'demo'],
      env: { BRACKEN_USER_DELETE_ROUTE: 'POST /api/user/remove/domain/{domainkey}/user/{userkey}' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✘ the delete-user route: the recording deleted the user with DELETE /api/user/delete/domain/{domainkey}/user/{userkey} (its BRACKEN_USER_DELETE_ROUTE), the sandbox serves POST /api/user/remove/domain/{domainkey}/user/{userkey}',
    );
    // The recorded route is not served by this sandbox: the call's answer differs too.
    expect(result.stdout).toMatch(/✘ DELETE \/api\/user\/delete\/domain\/\{domainkey\}\/user\/\{userkey\}: status 200 in the recording, 404 in the sandbox's/);
    expect(result.stdout).toMatch(/\n\d+ differences\. This recording was made against the sandbox/);
  });

  it('exits 2 and names the folder when there is no such recording', async () => {
    const result = await runScript('scripts/sandbox.ts', { args: ['--compare', 'no-such-recording'] });
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
