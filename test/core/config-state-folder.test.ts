/**
 * WORKBENCH_STATE_DIR must name a folder (made when missing). A path that is, or runs through, a
 * file is refused when the configuration is read, naming the variable and the file, instead of each
 * command failing its own way later (step 5 and `npm start` with a stack trace, the doctor with
 * three unrelated ✘ lines: its test is in test/doctor/).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../steps/lib/core/config.ts';
import { CONFIG_INVALID, ConfigError } from '../../steps/lib/core/errors.ts';
import { runScript } from '../helpers/process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const HINT = 'Point WORKBENCH_STATE_DIR at a folder (it is made when missing), or move the file away.';

function expectedMessage(stateDir: string, file = stateDir): string {
  return `WORKBENCH_STATE_DIR=${JSON.stringify(stateDir)} is not valid: expected a folder, but ${file} is a file.`;
}

/** An empty file in a folder of the test's own. */
async function aFile(): Promise<string> {
  const file = join(await tempDir('state-folder'), 'state');
  await writeFile(file, '');
  return file;
}

function refusal(stateDir: string): ConfigError {
  try {
    loadConfig({ env: { WORKBENCH_STATE_DIR: stateDir } });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig did not throw');
}

describe('WORKBENCH_STATE_DIR', () => {
  test('a folder that exists, or does not exist yet (under a folder), is taken as it is', async () => {
    const dir = await tempDir('state-folder');
    await mkdir(join(dir, 'there'));
    expect(loadConfig({ env: { WORKBENCH_STATE_DIR: join(dir, 'there') } }).stateDir).toBe(join(dir, 'there'));
    expect(loadConfig({ env: { WORKBENCH_STATE_DIR: join(dir, 'not', 'yet') } }).stateDir).toBe(join(dir, 'not', 'yet'));
  });

  test('a file is refused naming the variable and the file', async () => {
    const file = await aFile();
    const error = refusal(file);
    expect(error.code).toBe(CONFIG_INVALID);
    expect(error.variable).toBe('WORKBENCH_STATE_DIR');
    expect(error.message).toBe(expectedMessage(file));
    expect(error.hint).toBe(HINT);
  });

  test('a path under a file is refused naming the file in the way', async () => {
    const file = await aFile();
    expect(refusal(join(file, 'sub', 'dir')).message).toBe(expectedMessage(join(file, 'sub', 'dir'), file));
  });

  test.each([
    ['step 5', 'steps/05-verify-delivery.ts'],
    ['npm start', 'scripts/walkthrough.ts'],
  ] as const)('%s says so in two lines and exits 1 instead of a stack trace', async (_name, script) => {
    const stateFile = await aFile();
    const result = await runScript(script, { env: { WORKBENCH_STATE_DIR: stateFile } });
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(1);
    expect(output).toContain(`Error: ${expectedMessage(stateFile)} [WORKBENCH_CONFIG_INVALID]\nNext: ${HINT}\n`);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
