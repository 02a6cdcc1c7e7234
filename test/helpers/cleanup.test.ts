/**
 * The promise every test leans on: what a helper opens is undone after the test that opened it
 * (after that file's afterEach hooks, newest first), and what a beforeAll opens lasts the file.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './cleanup.ts';
import { tempDir } from './temp-dir.ts';

describe('tempDir() and onCleanup()', () => {
  let forTheFile = '';
  let forOneTest = '';
  const order: string[] = [];

  beforeAll(async () => {
    forTheFile = await tempDir('cleanup-file');
  });
  afterEach(() => {
    if (forOneTest !== '') order.push(`afterEach: folder there ${existsSync(forOneTest)}`);
  });

  it('makes an empty folder named after its label and registers undo steps', async () => {
    forOneTest = await tempDir('cleanup-test');
    onCleanup(() => void order.push('undo registered first'));
    onCleanup(() => void order.push('undo registered last'));
    expect(forOneTest).toMatch(/workbench-test-cleanup-test-\w{6}$/);
    expect(existsSync(forOneTest)).toBe(true);
  });

  it('removed that folder after the test, after afterEach, running the undo steps newest first', () => {
    expect(existsSync(forOneTest)).toBe(false);
    expect(order).toEqual(['afterEach: folder there true', 'undo registered last', 'undo registered first']);
    forOneTest = '';
  });

  it('keeps a folder made in beforeAll until the file is done', () => {
    expect(existsSync(forTheFile)).toBe(true);
  });
});
