/**
 * `npm start -- --timings-json <file>`: a folder that is not there is refused before the run, and a
 * write that fails after it is a coded error, never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_WRITE_FAILED } from '../../steps/lib/core/errors.ts';
import { writeTimings } from '../../scripts/walkthrough/timings-file.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const HINT = 'Give --timings-json a file in a folder that exists and that you can write to, e.g. --timings-json timings.json.';
const TIMES = { steps: [{ name: 'token', ms: 12 }], totalMs: 34 };

describe('--timings-json', () => {
  it('a file in a folder that does not exist: npm start refuses it at once (exit 2), before the banner or the sandbox', async () => {
    const dir = await tempDir('timings');
    const file = join(dir, 'missing', 'timings.json');
    const result = await runScript('scripts/walkthrough.ts', { args: ['--timings-json', file], env: { WORKBENCH_STATE_DIR: dir } });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: --timings-json ${JSON.stringify(file)}: the folder ${join(dir, 'missing')} does not exist. [WORKBENCH_CONFIG_INVALID]\nNext: ${HINT}\n`,
    });
  });

  it('writeTimings() writes the steps and the total as JSON, and a failed write is StateError STATE_WRITE_FAILED with the hint', async () => {
    const dir = await tempDir('timings');
    const file = join(dir, 'timings.json');
    await writeTimings(file, TIMES);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(TIMES);

    const gone = join(dir, 'gone', 'timings.json');
    await expect(writeTimings(gone, TIMES)).rejects.toMatchObject({
      code: STATE_WRITE_FAILED,
      message: `Cannot write --timings-json ${JSON.stringify(gone)}: ENOENT: no such file or directory, open '${gone}'.`,
      hint: HINT,
    });
  });
});
