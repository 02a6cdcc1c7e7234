/** test/sequencer.ts: a listed file that was renamed or removed would silently lose its early start. */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../steps/lib/core/config.ts';
import { SLOWEST_FIRST } from '../sequencer.ts';

it('every file SLOWEST_FIRST names is a test file that exists, each named once', async () => {
  expect(new Set(SLOWEST_FIRST).size).toBe(SLOWEST_FIRST.length);
  for (const file of SLOWEST_FIRST) {
    expect(file).toMatch(/^test\/.+\.test\.ts$/);
    await expect(access(join(PROJECT_ROOT, file)), file).resolves.toBeUndefined();
  }
});
