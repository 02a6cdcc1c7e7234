/**
 * readRecording (steps/lib/record/fixture.ts) on a recording edited by hand, or broken: the
 * replay test and `--compare` both read through it, so each fault is a RECORDING_CORRUPT naming
 * the file and the field, never a TypeError, and a delivery's body is read from its own folder
 * only.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRecordingName } from '../../steps/lib/core/config.ts';
import { RECORDING_CORRUPT, RecordingError } from '../../steps/lib/core/errors.ts';
import { writeRecording } from '../../steps/lib/record/fixture.ts';
import { listRecordings, readRecording, recordingDir } from '../../steps/lib/record/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const META = join('deliveries', '001-User_Create.json');

/** A copy of the demo recording, edited by `edit(dir)`. */
async function editedDemo(edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(await tempDir('recording'), 'edited');
  await cp(recordingDir('demo'), dir, { recursive: true });
  await edit(dir);
  return dir;
}

/** Rewrites the JSON file `file` of `dir` with `change` applied to it. */
function editJson(file: string, change: (value: Record<string, unknown>) => unknown) {
  return async (dir: string) => {
    const value = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, file), JSON.stringify(change(value)));
  };
}

describe('readRecording(dir) of a recording that is not what the recorder writes', () => {
  it.each([
    ['about.json is null', editJson('about.json', () => null), 'about.json is null, not an object'],
    ['about.json has no runs', editJson('about.json', ({ runs: _, ...about }) => about), 'about.json: runs is missing, not a list'],
    // The replay configures the steps from about.json: these stopped it with a TypeError.
    [
      'about.json without its environment',
      editJson('about.json', ({ environment: _, ...about }) => about),
      'about.json: environment is missing, not an object',
    ],
    [
      'events that are not a list',
      editJson('about.json', (about) => ({ ...about, environment: { ...(about.environment as object), events: 'user_create' } })),
      'about.json: environment.events is "user_create", not a list of strings',
    ],
    [
      'webhook secrets that are not strings',
      editJson('about.json', (about) => ({ ...about, replay: { ...(about.replay as object), webhookSecrets: [1] } })),
      'about.json: replay.webhookSecrets is a list, not a list of strings',
    ],
    [
      'a run without its source',
      editJson('about.json', (about) => ({ ...about, runs: [{ ok: true }] })),
      'about.json: runs[0].source is missing, not a string',
    ],
    ['a call is null', editJson('calls.json', (calls) => [null, ...(calls as unknown as unknown[]).slice(1)]), 'calls.json[0] is null, not an object'],
    [
      'a call of a run that is not in about.json',
      editJson('calls.json', (calls) => (calls as unknown as object[]).map((call) => ({ ...call, run: 3 }))),
      "calls.json[0].run is 3, not one of about.json's runs (0 to 0)",
    ],
    [
      'calls out of order',
      async (dir: string) => {
        await editJson('about.json', (about) => ({ ...about, runs: [...(about.runs as unknown[]), ...(about.runs as unknown[])] }))(dir);
        await editJson('calls.json', (calls) => (calls as unknown as object[]).map((call, index) => ({ ...call, run: index === 0 ? 1 : 0 })))(dir);
      },
      'calls.json[1].run is 0, after a call of run 1: the calls are out of order',
    ],
    // The replay (test/helpers/recorded.ts) makes an interceptor of every call: these stopped it with a TypeError.
    [
      'a call whose reqheaders is null',
      editJson('calls.json', (calls) => (calls as unknown as object[]).map((call) => ({ ...call, reqheaders: null }))),
      'calls.json[0].reqheaders is null, not an object',
    ],
    [
      'a call whose scope is not an origin',
      editJson('calls.json', (calls) => (calls as unknown as object[]).map((call) => ({ ...call, scope: 'nope' }))),
      'calls.json[0].scope is "nope", not an origin (https://host)',
    ],
    [
      'a call whose status is text',
      editJson('calls.json', (calls) => (calls as unknown as object[]).map((call) => ({ ...call, status: '200' }))),
      'calls.json[0].status is "200", not an HTTP status',
    ],
    [
      'a delivery header that is not a pair',
      editJson(META, (meta) => ({ ...meta, headers: [['content-type']] })),
      'deliveries/001-User_Create.json: headers[0] is a list, not a [name, value] pair of strings',
    ],
    [
      'a delivery without what the listener answered',
      editJson(META, ({ answered: _, ...meta }) => meta),
      'deliveries/001-User_Create.json: answered is missing, not an object',
    ],
    ["a delivery's meta is null", editJson(META, () => null), 'deliveries/001-User_Create.json is null, not an object'],
    [
      "a delivery's bodyFile is a number",
      editJson(META, (meta) => ({ ...meta, bodyFile: 5 })),
      'deliveries/001-User_Create.json: bodyFile is 5, not "001-User_Create.body"',
    ],
    [
      "a delivery's bodyFile points out of the recording",
      editJson(META, (meta) => ({ ...meta, bodyFile: '../../about.json' })),
      'deliveries/001-User_Create.json: bodyFile is "../../about.json", not "001-User_Create.body"',
    ],
    [
      'two deliveries with one id',
      async (dir: string) => {
        await cp(join(dir, META), join(dir, 'deliveries', '002-User_Create.json'));
        await cp(join(dir, 'deliveries', '001-User_Create.body'), join(dir, 'deliveries', '002-User_Create.body'));
        await editJson(join('deliveries', '002-User_Create.json'), (meta) => ({ ...meta, bodyFile: '002-User_Create.body' }))(dir);
      },
      'deliveries/002-User_Create.json: id "mx2yph7f-b0978ab5000001" is deliveries/001-User_Create.json\'s too',
    ],
    // Sparse: the file claims its size without the disk holding it; read whole, it would fill memory first.
    [
      'a calls.json of 65 MiB',
      async (dir: string) => truncate(join(dir, 'calls.json'), 65 * 1024 * 1024),
      'calls.json is 68157440 bytes, more than a recording file may hold (64 MiB)',
    ],
    [
      'a delivery body of 65 MiB',
      async (dir: string) => truncate(join(dir, 'deliveries', '001-User_Create.body'), 65 * 1024 * 1024),
      'deliveries/001-User_Create.body is 68157440 bytes, more than a recording file may hold (64 MiB)',
    ],
    [
      'deliveries that is a file, not a folder',
      async (dir: string) => {
        await rm(join(dir, 'deliveries'), { recursive: true });
        await writeFile(join(dir, 'deliveries'), '');
      },
      'deliveries cannot be read: ENOTDIR',
    ],
  ])('%s: RECORDING_CORRUPT naming the file and field', async (_what, edit, problem) => {
    const dir = await editedDemo(edit);
    const error = await readRecording(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecordingError);
    expect(error).toMatchObject({ code: RECORDING_CORRUPT });
    expect((error as Error).message).toContain(`The recording in ${dir} cannot be used: ${problem}`);
  });
});

describe('writeRecording(dir, recording) while others read the folder of recordings', () => {
  it('never shows a half-written recording under a name a reader would take for a recording', async () => {
    const root = await tempDir('recordings');
    const demo = await readRecording(recordingDir('demo'));
    const seen: string[][] = [];
    // The deliveries are written last: a look at the folder from inside their iteration sees the write in progress.
    const deliveries = Object.assign([...demo.deliveries], {
      *[Symbol.iterator]() {
        seen.push(readdirSync(root));
        yield* demo.deliveries;
      },
    });
    await writeRecording(join(root, 'fresh'), { ...demo, deliveries });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.filter((entry) => isRecordingName(entry))).toEqual([]);
    expect(await listRecordings(root)).toEqual(['fresh']);
  });
});

describe('a recording write killed part-way (npm start -- --record NAME stopped with kill -9)', () => {
  /** The pid of a process that has exited: what a killed write's leftovers are named with. */
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

  it('between its two renames: the earlier recording, moved aside, is back under its name when it is next read', async () => {
    const root = await tempDir('recordings');
    const demo = await readRecording(recordingDir('demo'));
    await writeRecording(join(root, 'kept'), demo);
    const pid = deadPid();
    // The state the write leaves: the earlier recording aside, the new one complete or not beside it, no `kept`.
    await rename(join(root, 'kept'), join(root, `.kept.old-${pid}`));
    await mkdir(join(root, `.kept.writing-${pid}`, 'deliveries'), { recursive: true });
    expect(await listRecordings(root)).toEqual([]);

    expect((await readRecording(join(root, 'kept'))).about).toEqual(demo.about);
    expect((await readdir(root)).sort()).toEqual(['kept']);
  });

  it('while writing the new one: its half-written folder is removed by the next write of that name', async () => {
    const root = await tempDir('recordings');
    const demo = await readRecording(recordingDir('demo'));
    await mkdir(join(root, `.kept.writing-${deadPid()}`, 'deliveries'), { recursive: true });
    await writeRecording(join(root, 'kept'), demo);
    expect((await readdir(root)).sort()).toEqual(['kept']);
  });

  it("a running process's folders are left alone: it may be writing that name right now", async () => {
    const root = await tempDir('recordings');
    const demo = await readRecording(recordingDir('demo'));
    await writeRecording(join(root, 'kept'), demo);
    const running = `.kept.writing-${process.ppid}`;
    await mkdir(join(root, running));
    await readRecording(join(root, 'kept'));
    await writeRecording(join(root, 'kept'), demo);
    expect((await readdir(root)).sort()).toEqual([running, 'kept']);
  });
});
